import ArgumentParser
import Logging
import TGPTCommandSupport
import TGPTEvents
import TGPTProviderOptions
import TGPTProviders

#if canImport(Glibc)
  import Glibc
#endif

extension StreamCommand {
  /// `--models`: the provider's model ids, one a line in the provider's order, or with `--json`
  /// its model objects as NDJSON. The provider, base URL and key are found as for a prompt, and
  /// failures exit with the same codes; they go to stderr only (stdout is the list).
  func listModels() async throws {
    let trap = SignalTrap()
    let work = WorkSlot()
    trap.install { _ in
      if !work.cancel() { _exit(trap.exitCode) }
    }
    if providerOptions.provider != .echo { HTTPClient.warmUp() }
    let config = try ConfigFile.load(path: ConfigFile.defaultPath)
    config.warnings.forEach(Diagnostics.warning)
    let resolved = try ResolvedProvider(
      provider: providerOptions, transport: transport, generation: generation, config: config)
    let provider = try await resolved.provider(logger: Logger(label: "tgpt.providers"))
    let listed = await work.run { () async -> Result<[JSON], any Error> in
      do { return .success(try await provider.models(limits: resolved.limits)) } catch { return .failure(error) }
    }
    // A `ProviderError` is reported by `runMain` with its kind's exit code.
    let models: [JSON]
    switch listed {
    case .success(let list): models = list
    case .failure(let error): throw trap.signal == nil ? error : ExitCode(trap.exitCode)
    }

    var out: [UInt8] = []
    for model in models {
      guard let line = json ? model.compactText : model["id"]?.stringValue else { continue }
      out += line.utf8
      out.append(0x0A)
    }
    // A closed stdout (`| head`) is a quiet success.
    do throws(ProtocolError) {
      try FileIO.writeAll(1, out)
    } catch {
      if !error.isOutputClosed { throw error }
    }
  }
}
