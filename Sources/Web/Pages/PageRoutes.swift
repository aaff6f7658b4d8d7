import Hummingbird

/// The record pages of the web UI (being written).
struct PageRoutes: Sendable {
    let dependencies: WebDependencies
    func register(on group: RouterGroup<WebContext>) {}
}
