import TGPTCommandSupport
import TGPTProviders

extension ConfigFile {
  /// What makes a run without flags use something other than this file's default provider
  /// (`provider: true`) or `model`, just set as the default: each variable of the environment,
  /// the profile it chooses, or a `[providers.NAME]` model, named. Empty when the defaults apply.
  package func shadows(provider checkProvider: Bool, model newModel: String?) -> [String] {
    let checkModel = newModel != nil
    guard checkProvider || checkModel else { return [] }
    var found: [String] = []
    let defaultKind = defaultProvider
    let profileName = ProcessEnvironment.value("TGPT_PROFILE")
    let profile = profileName.flatMap { profiles[$0] }
    let profileSource = "TGPT_PROFILE=\(profileName ?? "") ([profiles.\(profileName ?? "")] in \(path ?? "the file"))"
    // The provider, decided as ResolvedProvider does when no flag names one.
    var chosen: (source: String, kind: ProviderKind?)?
    if let profile, profile.provider != nil || profile.baseURL != nil {
      chosen = (profileSource, profile.provider.map { ProviderKind(rawValue: $0.lowercased()) } ?? .compatible)
    } else if let name = ProcessEnvironment.value("TGPT_PROVIDER") {
      chosen = ("TGPT_PROVIDER=\(name) in the environment", ProviderKind(rawValue: name.lowercased()))
    } else if ProcessEnvironment.value("TGPT_BASE_URL") != nil {
      chosen = ("TGPT_BASE_URL in the environment", .compatible)
    }
    var kind = defaultKind
    if let chosen, chosen.kind != defaultKind {
      let other = chosen.kind?.rawValue ?? "another provider"
      let model = checkModel ? ", so the default model, which is for \(defaultKind.rawValue), is not used" : ""
      found.append("\(chosen.source) wins over the config file: runs use \(other)\(model)")
      kind = chosen.kind ?? kind
    }
    guard checkModel else { return found }
    if let model = profile?.model {
      found.append("\(profileSource) wins over the default model with model = \"\(model)\"")
    } else if let model = ProcessEnvironment.value("TGPT_MODEL") {
      found.append("TGPT_MODEL=\(model) in the environment wins over the default model; unset it to use the new one")
    } else if kind == defaultKind, let own = providers[kind.rawValue]?.model, own != newModel {
      found.append(
        "[providers.\(kind.rawValue)] model = \"\(own)\" in \(path ?? "the file") wins over the top-level model")
    }
    return found
  }
}
