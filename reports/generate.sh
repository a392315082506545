#!/usr/bin/env bash
# Regenerate the reports in this folder from the bundled specs (needs archstat installed; check needs torch+fvcore).
set -euo pipefail
cd "$(dirname "$0")"
archstat list --output bundled.md
archstat table alexnet --output alexnet.md
archstat table vgg16 --output vgg16.csv
archstat table vgg16 --no-bias --output vgg16_no_bias.md
archstat table googlenet --expand --output googlenet_expanded.md
archstat table googlenet --paper --output googlenet_table1.md
archstat table resnet50 --batch 32 --dtype bf16 --output resnet50_b32_bf16.json
archstat conventions resnet50 --output conventions_resnet50.md
archstat check --bundled --output check_all.md
