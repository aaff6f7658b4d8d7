import GatewayConfig
import IMAPClient
import Logging
import MailStore
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// The IMAP listeners (STARTTLS port and implicit-TLS port) as one lifecycle service.
///
/// Each connection runs as its own child task; one connection's failure never stops
/// the server. On graceful shutdown the listeners close at once, sessions finish the
/// command in progress, say BYE and close; `run()` returns when the last one is gone.
public final class IMAPService: Service {
    let configuration: GatewayConfiguration.IMAP
    let context: ServerContext
    let group: MultiThreadedEventLoopGroup

    /// `throttle` counts failed logins; the web UI's sign-in shares it when given to both.
    public init(configuration: GatewayConfiguration.IMAP, store: LocalStore, tls: NIOSSLContext,
                logger: Logger, proxy: ProxySettings? = nil, throttle: LoginThrottle? = nil,
                group: MultiThreadedEventLoopGroup = .singleton) {
        self.configuration = configuration
        self.context = ServerContext(configuration: configuration, store: store, tls: tls, logger: logger, proxy: proxy,
                                     throttle: throttle ?? LoginThrottle(configuration: configuration))
        self.group = group
    }

    /// The ports actually bound, once `run()` has started listening (for tests using port 0).
    public var boundPorts: [Int] { context.boundPorts.withLock { $0 } }

    public func run() async throws {
        var listeners: [(NIOAsyncChannel<AcceptedConnection, Never>, Bool)] = []
        for (port, implicitTLS) in [(configuration.port, false), (configuration.tlsPort, true)] where port != 0 {
            let listener: NIOAsyncChannel<AcceptedConnection, Never>
            do {
                listener = try await bind(port: port, implicitTLS: implicitTLS)
            } catch {
                throw ServerSetupError(message: "cannot listen on \(configuration.host):\(port) (imap.\(implicitTLS ? "tls_port" : "port")): \(error)")
            }
            listeners.append((listener, implicitTLS))
            let bound = listener.channel.localAddress?.port ?? port
            context.boundPorts.withLock { $0.append(bound) }
            context.logger.notice("IMAP listening", metadata: [
                "address": "\(configuration.host):\(bound)", "tls": "\(implicitTLS ? "implicit" : "STARTTLS")"])
        }
        let serverChannels = listeners.map { $0.0.channel }
        try await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                // Every session checks its timeouts at this one clock's ticks (5 s); the
                // clock stops within half a second of a shutdown.
                group.addTask {
                    var halfSeconds = 0
                    while !self.context.sessions.isShuttingDown, !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(500))
                        halfSeconds += 1
                        if halfSeconds % 10 == 0 { self.context.sessions.tickAll() }
                    }
                }
                for (listener, implicitTLS) in listeners {
                    group.addTask {
                        do {
                            try await listener.executeThenClose { inbound in
                                await withDiscardingTaskGroup { connections in
                                    do {
                                        for try await connection in inbound {
                                            let executor = EventLoopTaskExecutor(connection.channel.channel.eventLoop)
                                            connections.addTask(executorPreference: executor) {
                                                await self.serve(connection, implicitTLS: implicitTLS)
                                            }
                                        }
                                    } catch {
                                        self.context.logger.error("IMAP listener failed", metadata: ["error": "\(error)"])
                                    }
                                }
                            }
                        } catch {
                            self.context.logger.error("IMAP listener failed", metadata: ["error": "\(error)"])
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            self.context.logger.notice("IMAP shutting down: no new connections, sessions finish their command")
            for channel in serverChannels { channel.close(promise: nil) }
            self.context.sessions.shutdownAll()
        }
    }

    private func bind(port: Int, implicitTLS: Bool) async throws -> NIOAsyncChannel<AcceptedConnection, Never> {
        let tls = context.tls
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            // Commands are short: a connection starts with a small read buffer (kept while it
            // idles) and grows it only while reading big literals.
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 256, initial: 512, maximum: 65_536))
            // TLS keeps 48 KiB of buffers per connection: resident only as far as used.
            .childChannelOption(.allocator, value: LazyPageAllocator.allocator)
            .bind(host: configuration.host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    let events = try SessionEvents(addingHandlerTo: channel)
                    return AcceptedConnection(channel: try NIOAsyncChannel<SessionEvent, ByteBuffer>(wrappingChannelSynchronously: channel),
                                              events: events)
                }
            }
    }

    private func serve(_ connection: AcceptedConnection, implicitTLS: Bool) async {
        let session = Session(connection: connection.channel, events: connection.events, context: context, isTLS: implicitTLS)
        await session.run()
    }
}

extension LoginThrottle {
    /// The throttle `[imap]` configures: `failed_login_delay_ms` the first delay,
    /// `max_failed_logins` per address (three times as many per account) in `failed_login_window`.
    public convenience init(configuration: GatewayConfiguration.IMAP) {
        self.init(Policy(baseDelay: .milliseconds(configuration.failedLoginDelayMilliseconds),
                         maxFailuresPerAddress: configuration.maxFailedLogins,
                         window: .seconds(configuration.failedLoginWindow)))
    }
}

/// A connection as accepted: its channel, whose inbound stream carries the session's
/// events, and the way to add events to that stream.
struct AcceptedConnection: Sendable {
    let channel: NIOAsyncChannel<SessionEvent, ByteBuffer>
    let events: SessionEvents
}
