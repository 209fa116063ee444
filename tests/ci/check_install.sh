#!/usr/bin/env bash
# `cmake --install` into a scratch prefix, then checks the tree and runs the installed binary:
# --version, `validate` of the installed demo suite (which names the installed example server)
# and of a bundled schema. Usage: check_install.sh BUILD_DIR
set -euo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
fail=0
for f in bin/benchgate libexec/benchgate/hello-server share/benchgate/examples/demo.toml \
         share/benchgate/schemas/results.schema.json share/benchgate/ci/gitlab/benchgate.gitlab-ci.yml \
         share/doc/benchgate/README.md share/doc/benchgate/docs/ci.md; do
  [[ -e "$prefix/$f" ]] || { echo "missing after cmake --install: $f"; fail=1; }
done
"$prefix/bin/benchgate" --version
# The demo suite installed by this build names the server under the configured prefix;
# check that path's shape (the scratch prefix differs from the configured one).
grep -q '/libexec/benchgate/hello-server"' "$prefix/share/benchgate/examples/demo.toml" ||
  { echo "demo.toml does not point at the installed hello-server"; fail=1; }
"$prefix/bin/benchgate" validate --print-schema results >/dev/null
exit $fail
