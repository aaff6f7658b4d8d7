import Hummingbird
import NIOCore
import Logging

/// The request context of the web UI and the JSON API: Hummingbird's core context plus
/// the signed-in identity, set by the authentication middleware.
public struct WebContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Identity?
    /// The signed-in session, for CSRF checks on forms (web UI only).
    public var session: WebSession?
    /// The client's address, which failed sign-ins are counted by.
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// Form posts and API bodies are small (a record with a long description); attachments
    /// are not uploaded through the web. Beyond this a request is answered 413.
    public var maxUploadSize: Int { Self.maxBodyBytes }
    static let maxBodyBytes = 256 * 1024
}
