#!/usr/bin/env bash
# Regenerate every rule's Terraform fixture: tests/rules/fixtures/<rule>/tf/ -> <rule>/tfplan.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for dir in "$root"/tests/rules/fixtures/*/tf; do
  [ -d "$dir" ] || continue
  "$root/scripts/tfplan.sh" "$dir" "$(dirname "$dir")/tfplan.json"
done
