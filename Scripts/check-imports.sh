#!/usr/bin/env bash
# The house style's module rules: each module may import only what its line below allows. (The
# compiler checks that every file imports the modules it uses — MemberImportVisibility — and
# that package API names only what is imported as package — InternalImportsByDefault; which
# modules may depend on which is ours to check.) Also: no full Foundation
# in any program (it loads ICU and costs start-up time), libraries never print or exit, and
# locks are Guarded, not Mutex.
set -euo pipefail
cd "$(dirname "$0")/.."

system="Glibc Musl Darwin Dispatch Synchronization FoundationEssentials"
declare -A allowed=(
  [TGPTEvents]="$system CSyscalls"
  [TGPTProviders]="$system TGPTEvents CCurl Logging"
  [TGPTCommandSupport]="$system TGPTEvents ArgumentParser Logging"
  [TGPTProviderOptions]="$system TGPTEvents TGPTProviders TGPTCommandSupport ArgumentParser Logging"
  [tgpt-stream]="$system TGPTEvents TGPTProviders TGPTTools TGPTCommandSupport TGPTProviderOptions ArgumentParser Logging"
  [TGPTTools]="$system TGPTEvents TGPTProviders CSyscalls"
  [TGPTSession]="$system TGPTEvents GRDB GRDBSQLite Crypto"
  # NIO and PostgresNIO only here and in the bridge's modules.
  [TGPTPostgresStore]="$system TGPTEvents TGPTSession PostgresNIO NIOCore NIOPosix NIOSSL Logging"
  [TGPTOrchestrator]="$system TGPTEvents TGPTProviders TGPTTools TGPTSession Logging"
  [tgpt-session]="$system TGPTEvents TGPTProviders TGPTTools TGPTSession TGPTPostgresStore TGPTOrchestrator TGPTCommandSupport TGPTProviderOptions TGPTChat TGPTRender TGPTBridgeClient CEditLine ArgumentParser Logging"
  [TGPTRender]="Glibc Musl Darwin Synchronization TGPTEvents"
  [tgpt-render]="$system TGPTEvents TGPTRender TGPTCommandSupport ArgumentParser"
  [TGPTChat]="$system TGPTEvents"
  [TGPTBridge]="$system TGPTEvents Logging"
  [TGPTWebSocketDeflate]="$system WSCore WSCompression NIOWebSocket"
  [TGPTBridgeServer]="$system TGPTEvents TGPTBridge TGPTWebSocketDeflate Hummingbird HummingbirdCore HummingbirdTLS HummingbirdWebSocket NIOCore NIOWebSocket NIOSSL HTTPTypes ServiceLifecycle UnixSignals Crypto Logging"
  [TGPTBridgeClient]="$system TGPTEvents TGPTBridge TGPTWebSocketDeflate WSClient WSCompression NIOCore NIOPosix NIOWebSocket NIOSSL HTTPTypes Logging"
  [tgpt-ws-bridge]="$system TGPTEvents TGPTBridge TGPTBridgeServer TGPTBridgeClient TGPTCommandSupport ArgumentParser Logging"
  [tgpt-fake-provider]="$system TGPTEvents"
  [tgpt-bench]="$system TGPTEvents TGPTProviders TGPTRender TGPTSession TGPTPostgresStore TGPTOrchestrator"
  [FuzzSupport]="$system TGPTEvents"
  [fuzz-sse]="$system FuzzSupport TGPTProviders"
  [fuzz-chunks]="$system FuzzSupport TGPTProviders"
  [fuzz-ndjson]="$system FuzzSupport TGPTEvents TGPTRender"
  [fuzz-toml]="$system FuzzSupport TGPTEvents TGPTProviderOptions"
  [fuzz-markdown]="$system FuzzSupport TGPTEvents TGPTRender"
  [fuzz-intake]="$system FuzzSupport TGPTEvents TGPTBridgeServer"
)

status=0
for dir in Sources/*/ Benchmarks/tgpt-bench/ Fuzz/*/; do
  module=$(basename "$dir")
  [ "$module" = "CCurl" ] || [ "$module" = "CEditLine" ] || [ "$module" = "CSyscalls" ] || [ "$module" = "corpus" ] && continue
  if [ -z "${allowed[$module]+set}" ]; then
    echo "check-imports: $module has no rule in Scripts/check-imports.sh" >&2
    status=1
    continue
  fi
  while IFS=: read -r file _ line; do
    imported=$(sed -E 's/^[[:space:]]*(@[A-Za-z_]+[[:space:]]+)?((public|internal|package|private|fileprivate)[[:space:]]+)?import[[:space:]]+(struct[[:space:]]+|class[[:space:]]+|enum[[:space:]]+|func[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*).*/\5/' <<<"$line")
    if ! grep -qw -- "$imported" <<<"${allowed[$module]}"; then
      echo "check-imports: $file imports $imported, which $module may not" >&2
      status=1
    fi
  done < <(grep -rnE '^[[:space:]]*(@[A-Za-z_]+[[:space:]]+)?((public|internal|package|private|fileprivate)[[:space:]]+)?import[[:space:]]' "$dir" --include='*.swift' || true)
done

# Libraries report errors by throwing; only a command's run() decides the exit.
for dir in Sources/TGPT*/; do
  if grep -rnE '^[[:space:]]*(print|fatalError|exit)\(' "$dir" --include='*.swift' \
    | grep -v 'Sources/TGPTCommandSupport/CommandMain.swift'; then
    echo "check-imports: a library prints or exits (above)" >&2
    status=1
  fi
done

# Locks ThreadSanitizer can see: Guarded, not Synchronization.Mutex (Sources/TGPTEvents/Guarded.swift
# says why).
if grep -rnwE 'Mutex' Sources Tests Benchmarks Fuzz --include='*.swift' | grep -vE '^[^:]+:[0-9]+:[[:space:]]*//'; then
  echo "check-imports: use Guarded instead of Mutex (above), so that ThreadSanitizer sees the lock" >&2
  status=1
fi

[ "$status" -eq 0 ] && echo "imports follow the module rules"
exit "$status"
