import ArgumentParser
import TGPTCommandSupport
import TGPTEvents
import TGPTProviderOptions
import TGPTProviders

extension SetCommand {
  /// `set --default` takes no session and no store.
  func validateDefaults() throws {
    if let id { throw ValidationError("--default changes the config file, not a session: drop '\(id)'") }
    if storeOptions.store != nil { throw ValidationError("--default changes the config file; --store has no use here") }
  }

  /// Writes the top-level keys asked for into the config file ('' removes one) and says where.
  func writeDefaults() async throws {
    guard let path = ConfigFile.defaultPath else {
      throw ProviderError.config("no place for the config file: set TGPT_CONFIG, XDG_CONFIG_HOME or HOME")
    }
    let changes = [("provider", provider), ("model", model), ("system", system)].compactMap { key, value in
      value.map { (key: key, value: $0.isEmpty ? nil : $0) }
    }
    // fsync may wait on the disk: not on a thread of the pool.
    let written = try await DedicatedThread.run { () throws(ProviderError) -> ConfigFile.Written in
      try ConfigFile.update(changes, path: path)
    }
    Diagnostics.note("\(written.path): \(written.changes.joined(separator: ", "))")
    let config = try ConfigFile.load(path: written.path)
    // The top-level model belongs to the default provider: a new provider makes it go elsewhere.
    if let provider, !provider.isEmpty, model == nil, let kept = config.defaults.model,
      config.providers[config.defaultProvider.rawValue]?.model == nil
    {
      Diagnostics.warning(
        "the default model '\(kept)' now goes to \(provider); give --model too if it is not one of its models")
    }
    // A default that something else wins over would be ignored without a word.
    let newModel = model.flatMap { $0.isEmpty ? nil : $0 }
    for shadow in config.shadows(provider: provider.map { !$0.isEmpty } ?? false, model: newModel) {
      Diagnostics.warning(shadow)
    }
  }
}
