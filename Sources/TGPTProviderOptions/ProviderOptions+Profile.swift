import TGPTCommandSupport
package import TGPTProviders

extension ProviderOptions {
  /// The profile chosen by `--profile`, else `TGPT_PROFILE`, from `config`; nil when none is.
  package func chosenProfile(in config: ConfigFile) throws(ProviderError) -> ConfigFile.Profile? {
    guard let name = profile ?? ProcessEnvironment.value("TGPT_PROFILE") else { return nil }
    return try config.profile(named: name)
  }

  /// These flags with `profile`'s values where no flag was given: a profile is a saved set of
  /// flags.
  ///
  /// Its provider, base URL, model, key command and token field belong together: when the
  /// flags choose another provider (`--provider`, or `--base-url` alone, which means an
  /// OpenAI-compatible server), none of them apply, so neither a model nor a key goes to a
  /// provider it was not meant for.
  package func applying(_ profile: ConfigFile.Profile) throws(ProviderError) -> ProviderOptions {
    var options = self
    let profileKind: ProviderKind?
    if let name = profile.provider {
      profileKind = try ResolvedProvider.kind(named: name, what: "provider of the profile")
    } else {
      profileKind = profile.baseURL != nil ? .compatible : nil
    }
    let flagKind = provider ?? (baseURL != nil ? .compatible : nil)
    guard flagKind == nil || profileKind == nil || flagKind == profileKind else { return options }
    options.provider = provider ?? profileKind
    options.baseURL = baseURL ?? profile.baseURL
    options.model = model ?? profile.model
    options.apiKeyCmd = apiKeyCmd ?? profile.apiKeyCmd
    options.maxTokensField = maxTokensField ?? profile.maxTokensField
    return options
  }
}

extension GenerationOptions {
  /// These flags with `profile`'s temperature and token limit where no flag was given.
  package func applying(_ profile: ConfigFile.Profile) -> GenerationOptions {
    var options = self
    options.temperature = temperature ?? profile.temperature
    options.maxTokens = maxTokens ?? profile.maxTokens
    return options
  }
}
