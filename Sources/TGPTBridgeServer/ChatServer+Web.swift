import Hummingbird

extension ChatServer {
  /// The web client: the page at `/` and its files, the same for everyone, and `config.json`,
  /// what the page needs to know of this server. The page holds no secret, so it needs no
  /// token; what it does over `/ws/chat/{id}` does, when the server wants one.
  func addWebClient(to router: Router<HTTPChatContext>) {
    for asset in WebAsset.all + [WebAsset.config(maxMessageBytes: settings.maxMessageBytes)] {
      router.get(RouterPath(asset.path)) { request, _ in asset.response(to: request) }
      router.head(RouterPath(asset.path)) { request, _ in asset.response(to: request, withBody: false) }
    }
  }
}
