#!/usr/bin/env bash
# Plan a Terraform folder offline and write its `terraform show -json`, deterministically.
#   scripts/tfplan.sh SRC_DIR OUT_JSON
# The AWS provider comes from a local filesystem mirror (TF_PLUGIN_MIRROR, default
# /opt/tf-plugins), credentials are fake and the provider block must skip every
# lookup (skip_credentials_validation, skip_requesting_account_id,
# skip_metadata_api_check, skip_region_validation): nothing is deployed, no network
# call is made. The work directory is temporary, so no state lands in the tree.
# Deterministic output: the plan's `timestamp` is dropped, `relevant_attributes` (listed
# in Go map order, different each run) is sorted, and keys are sorted, so two runs with
# the same Terraform and provider versions give byte-identical files.
set -euo pipefail
src="$(cd "$1" && pwd)"
out="$2"
mirror="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
disable_checkpoint = true
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
export AWS_ACCESS_KEY_ID=AKIAFAKEFAKEFAKEFAKE AWS_SECRET_ACCESS_KEY=fakefakefakefakefakefakefakefakefakefake
export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN || true
cp -R "$src/." "$work/src"
(
  cd "$work/src"
  terraform init -no-color -backend=false >/dev/null
  terraform plan -no-color -refresh=false -lock=false -out=plan.tfplan >/dev/null
  terraform show -no-color -json plan.tfplan >"$work/plan.raw.json"
)
"$python" - "$work/plan.raw.json" "$out" <<'PY'
import json
import sys

source, target = sys.argv[1], sys.argv[2]
with open(source, encoding="utf-8") as handle:
    plan = json.load(handle)
plan.pop("timestamp", None)
plan["relevant_attributes"] = sorted(
    plan.get("relevant_attributes", []),
    key=lambda item: (item.get("resource", ""), json.dumps(item.get("attribute"))),
)
with open(target, "w", encoding="utf-8") as handle:
    json.dump(plan, handle, indent=2, sort_keys=True, ensure_ascii=False)
    handle.write("\n")
PY
echo "wrote $out"
