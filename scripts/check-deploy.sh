#!/usr/bin/env bash
# Lints the Helm chart strictly and renders both the chart and the plain manifests with real helm and kubectl
# (from scripts/k8s-tools.sh). The jest suite test/deploy/ checks the same renders in depth.
# Usage: scripts/check-deploy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/k8s-tools.sh)"
creds="credentials.clientId=id,credentials.clientSecret=s,credentials.fivetranApiKey=k,credentials.fivetranApiSecret=s"
"$helm" lint --strict helm/baton-fivetran --set "$creds"
out=$("$helm" template demo helm/baton-fivetran --set "$creds")
grep -q 'baton: "true"' <<<"$out" || { echo 'chart: pod label baton: "true" missing'; exit 1; }
grep -q 'baton-app: "fivetran"' <<<"$out" || { echo 'chart: pod label baton-app missing'; exit 1; }
"$helm" template demo helm/baton-fivetran --set existingSecret=baton-fivetran-secrets | grep -q 'name: baton-fivetran-secrets'
"$kubectl" kustomize deploy >/dev/null
"$kubectl" kustomize deploy/monitoring >/dev/null
on="metrics.serviceMonitor.enabled=true,metrics.prometheusRule.enabled=true,metrics.dashboard.enabled=true"
"$helm" lint --strict helm/baton-fivetran --set "$creds,$on"
grep -q 'kind: PrometheusRule' <<<"$("$helm" template demo helm/baton-fivetran --set "$creds,$on")"
echo "deploy: helm lint --strict, helm template and kubectl kustomize (with monitoring) all OK"
