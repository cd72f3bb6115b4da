#!/usr/bin/env bash
# Regenerate samples/terraform/{secure,insecure}/plan.json from their main.tf,
# offline and deterministically (see scripts/tfplan.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for variant in secure insecure; do
  "$here/../../scripts/tfplan.sh" "$here/$variant" "$here/$variant/plan.json"
done
