#!/usr/bin/env bash
# Drift check: go.mod is tidy, and regenerating every generated file changes nothing.
# Fails (exit 1) when generated code was edited by hand or the contract changed without
# `go generate ./...`.
set -euo pipefail
cd "$(dirname "$0")/.."
go mod tidy -diff
go generate ./...
if ! git diff --exit-code --stat; then
  echo "drift: generated files differ from what the sources generate; run 'go generate ./...' and commit" >&2
  exit 1
fi
untracked=$(git ls-files --others --exclude-standard)
if [ -n "$untracked" ]; then
  echo "drift: generation left untracked files:" >&2
  echo "$untracked" >&2
  exit 1
fi
