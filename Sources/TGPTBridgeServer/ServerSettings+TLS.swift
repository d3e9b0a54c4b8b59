import NIOSSL

#if canImport(Glibc)
  import Glibc
#endif

extension ServerSettings {
  /// Loads the PEM certificate chain and private key for wss:// and https://, before the
  /// server binds: a missing, unreadable or invalid file, or a key that is not the
  /// certificate's, is a configuration error naming the file, not a failure at the first
  /// connection.
  package mutating func loadTLS(certificate: String, key: String) throws(ServerError) {
    try Self.checkReadable(certificate, option: "--tls-cert")
    try Self.checkReadable(key, option: "--tls-key")
    let chain: [NIOSSLCertificate]
    do {
      chain = try NIOSSLCertificate.fromPEMFile(certificate)
    } catch {
      throw .tlsFile("--tls-cert", certificate, "not a PEM certificate (expected -----BEGIN CERTIFICATE-----)")
    }
    if chain.isEmpty {
      throw .tlsFile("--tls-cert", certificate, "holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)")
    }
    let privateKey: NIOSSLPrivateKey
    do {
      privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
    } catch {
      throw .tlsFile("--tls-key", key, "not a PEM private key (expected -----BEGIN PRIVATE KEY----- or similar)")
    }
    let configuration = TLSConfiguration.makeServerConfiguration(
      certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
    // Building the context is where the key is checked against the certificate.
    do {
      _ = try NIOSSLContext(configuration: configuration)
    } catch {
      throw .tlsMismatch(certificate: certificate, key: key)
    }
    tls = configuration
  }

  /// Fails with the system's reason when `path` cannot be opened for reading (or is a directory).
  private static func checkReadable(_ path: String, option: String) throws(ServerError) {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      let reason = String(cString: strerror(errno))
      throw .tlsFile(option, path, reason.prefix(1).lowercased() + reason.dropFirst())
    }
    defer { close(fd) }
    var status = stat()
    if fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
      throw .tlsFile(option, path, "is a directory; give the PEM file")
    }
  }
}
