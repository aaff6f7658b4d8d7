import Hummingbird

/// The JSON API under /api/v1 (being written).
struct APIRoutes: Sendable {
    let dependencies: WebDependencies
    func register(on group: RouterGroup<WebContext>) {}
}
