#!/usr/bin/env bash
# Every CUDA check and the profiler's figures in one run on a CUDA machine (a few minutes on one H100/H200).
#
#   benchmarks/gpu_check.sh            # writes its logs and reports under $OUT (or /tmp/archstat-gpu)
#
# Packages the machine lacks (fvcore and its needs, or typer where the machine's is older than 0.18: the packages
# log says) may be carried as wheels in .whl/; they are installed into /tmp/site first. archstat itself runs from
# this checkout (PYTHONPATH), nothing is installed system-wide.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-/tmp/archstat-gpu}"
mkdir -p "$out"
export PYTHONUNBUFFERED=1
if compgen -G ".whl/*.whl" > /dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    && export PYTHONPATH="/tmp/site${PYTHONPATH:+:$PYTHONPATH}"
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
status=0
logged() {  # logged NAME COMMAND...: run it, its output to the screen and to $out/NAME.txt; remember a failure
  local name=$1
  shift
  echo
  echo "== $*"
  "$@" 2>&1 | tee "$out/$name.txt"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
}

logged gpu nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv
logged torch python3 -c "import torch; print('torch', torch.__version__, 'CUDA', torch.version.cuda, torch.cuda.get_device_name())"
logged packages python3 -c "
from importlib import metadata
for name in ('typer', 'click', 'rich', 'pyyaml', 'fvcore'):
    try:
        print(name, metadata.version(name))
    except metadata.PackageNotFoundError:
        print(name, 'not installed')"
logged pytest_cuda python3 -m pytest -q -p no:cacheprovider -m cuda tests/test_cuda.py
logged bench_profile python3 benchmarks/bench_profile.py --device cuda --specs vgg16 resnet50 --batch 1,32 --dtype fp32,bf16
logged compare python3 -m archstat compare vgg16 resnet50 --device cuda --batch 1,32 --dtype fp32,bf16
logged profile_layers python3 -m archstat profile resnet50 --device cuda --batch 32 --per-layer
logged profile_graphs python3 -m archstat profile resnet50 --device cuda --batch 1,32 --cuda-graphs --channels-last
logged profile_compile timeout 180 python3 -m archstat profile lenet5 --device cuda --compile --runs 20
exit $status
