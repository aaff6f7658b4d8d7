import Foundation
import IMAPCore
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// One connection to an IMAP server, for crmgate's proxy mode, tests and benchmarks.
///
/// Commands go out whole (with LITERAL+/LITERAL- when the server offers them, else
/// waiting for each `+`); responses come back as `ResponseFrame`s, so bodies stream in
/// chunks. One owner drives it; a read task fills its `Inbox` from the socket.
public final class IMAPClientConnection {
    public let configuration: IMAPClientConfiguration
    /// Uppercased capability names as last announced.
    public private(set) var capabilities: Set<String> = []
    /// The server's greeting text.
    public private(set) var greeting = ""
    private let channel: any Channel
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let inbox: Inbox
    private var framer = ResponseFramer()
    private var tagCounter = 0
    private var byeText: String?
    private let logger: Logger

    private init(configuration: IMAPClientConfiguration, channel: any Channel,
                 outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, inbox: Inbox, logger: Logger) {
        self.configuration = configuration
        self.channel = channel
        self.outbound = outbound
        self.inbox = inbox
        self.logger = logger
    }

    deinit { channel.close(promise: nil) }

    /// Connects, secures the connection as configured and reads the greeting and capabilities.
    /// `tls` is a context from `makeTLSContext` to reuse (else one is made for this connection);
    /// `group` the event loops to connect on (else NIO's shared ones).
    public static func connect(_ configuration: IMAPClientConfiguration, tls: NIOSSLContext? = nil, logger: Logger,
                               group: (any EventLoopGroup)? = nil) async throws -> IMAPClientConnection {
        let tls = try configuration.security == .none ? nil : (tls ?? makeTLSContext(configuration))
        return try await open(configuration, tls: tls, group: group ?? MultiThreadedEventLoopGroup.singleton, logger: logger)
    }

    /// The TLS context of a configuration (its trust roots read from `caFile`): worth keeping
    /// for many connections, since reading the trust roots costs more than a handshake.
    public static func makeTLSContext(_ configuration: IMAPClientConfiguration) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = configuration.caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw IMAPClientError.tls("the CA file \(caFile) cannot be read")
            }
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw IMAPClientError.tls("the CA file \(caFile) holds no PEM certificate: \(error)")
            }
        }
        if !configuration.verifyCertificate { tls.certificateVerification = .none }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw IMAPClientError.tls("cannot set up TLS: \(error)")
        }
    }

    private static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    private static func makeTLSHandler(_ context: NIOSSLContext, host: String) throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(context: context, serverHostname: isIPAddress(host) ? nil : host)
    }

    private static func open(_ configuration: IMAPClientConfiguration, tls: NIOSSLContext?,
                             group: any EventLoopGroup, logger: Logger) async throws -> IMAPClientConnection {
        let host = configuration.host
        let asyncChannel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            let bootstrap = ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(Int64(configuration.connectTimeout.components.seconds) * 1_000_000_000))
            let initializer: @Sendable (any Channel) -> EventLoopFuture<NIOAsyncChannel<ByteBuffer, ByteBuffer>> = { channel in
                channel.eventLoop.makeCompletedFuture {
                    if configuration.security == .implicitTLS, let tls {
                        try channel.pipeline.syncOperations.addHandler(makeTLSHandler(tls, host: host))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
            // An address needs no resolver and no happy-eyeballs race: straight to it.
            if let address = try? SocketAddress(ipAddress: host, port: configuration.port) {
                asyncChannel = try await bootstrap.connect(to: address, channelInitializer: initializer)
            } else {
                asyncChannel = try await bootstrap.connect(host: host, port: configuration.port, channelInitializer: initializer)
            }
        } catch {
            throw IMAPClientError.unreachable("\(host):\(configuration.port): \(error)")
        }
        let inbox = Inbox()
        let outbound = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<NIOAsyncChannelOutboundWriter<ByteBuffer>, any Error>) in
            // Reads on the channel's own loop: no other thread is woken to fill the inbox.
            Task(executorPreference: EventLoopTaskExecutor(asyncChannel.channel.eventLoop)) {
                do {
                    try await asyncChannel.executeThenClose { inbound, outbound in
                        continuation.resume(returning: outbound)
                        for try await buffer in inbound { await inbox.push(buffer) }
                    }
                    inbox.finish(.closed("the connection ended"))
                } catch {
                    inbox.finish(classify(error))
                }
            }
        }
        let connection = IMAPClientConnection(configuration: configuration, channel: asyncChannel.channel,
                                              outbound: outbound, inbox: inbox, logger: logger)
        // The TCP connect has its own timeout; this one bounds the TLS handshake and greeting.
        let timeout = configuration.connectTimeout
        let channel = asyncChannel.channel
        let timer = Task {
            try await Task.sleep(for: timeout)
            inbox.finish(.unreachable("\(host):\(configuration.port) connected but did not complete TLS and greet within \(timeout)"))
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        try await connection.readGreeting()
        if configuration.security == .startTLS, let tls {
            try await connection.startTLS(tls)
        }
        if connection.capabilities.isEmpty { try await connection.refreshCapabilities() }
        return connection
    }

    static func classify(_ error: any Error) -> IMAPClientError {
        if let error = error as? IMAPClientError { return error }
        if error is NIOSSLError || error is BoringSSLError { return .tls("\(error)") }
        return .closed("\(error)")
    }

    private func readGreeting() async throws {
        let response = try await nextParsedResponse()
        guard case .untagged(.status(let status)) = response else {
            throw IMAPClientError.protocolViolation("expected a greeting, got \(response)")
        }
        switch status.status {
        case .ok, .preauth:
            greeting = status.text
            if case .capability(let names) = status.code { capabilities = Set(names.map { $0.uppercased() }) }
        case .bye:
            throw IMAPClientError.closed(status.text.isEmpty ? "refused at greeting" : status.text)
        default:
            throw IMAPClientError.protocolViolation("unexpected greeting \(status.status.rawValue) \(status.text)")
        }
    }

    private func startTLS(_ tls: NIOSSLContext) async throws {
        if capabilities.isEmpty { try await refreshCapabilities() }
        guard capabilities.contains("STARTTLS") else {
            throw IMAPClientError.missingCapability("STARTTLS", purpose: "secure the connection (tls = \"starttls\")")
        }
        try await execute(.starttls)
        // Anything after the OK came in plaintext and would pass for TLS data: refuse it.
        guard framer.isEmpty, try inbox.poll() == nil else {
            throw IMAPClientError.protocolViolation("the server sent data after its STARTTLS OK, before TLS began (a possible injection)")
        }
        let channel = self.channel
        let host = configuration.host
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(Self.makeTLSHandler(tls, host: host), position: .first)
        }.get()
        capabilities = []
        try await refreshCapabilities()
    }

    /// Asks the server for its capabilities (RFC 9051 §6.1.1).
    public func refreshCapabilities() async throws {
        var names: [String]?
        try await execute(.capability) { response in
            if case .capability(let list) = response { names = list }
        }
        capabilities = Set((names ?? []).map { $0.uppercased() })
    }

    /// Takes capabilities from a response code such as the one in a login's OK.
    func adoptCapabilities(from status: StatusResponse) {
        if case .capability(let names) = status.code { capabilities = Set(names.map { $0.uppercased() }) }
    }

    // MARK: - Commands

    public func nextTag() -> String {
        tagCounter += 1
        return "\(configuration.tagPrefix)\(tagCounter)"
    }

    /// Runs a command, handing each untagged response to `onUntagged`; returns the tagged
    /// status whatever it is.
    @discardableResult
    public func run(_ command: Command, onUntagged: (UntaggedResponse) async throws -> Void = { _ in }) async throws -> StatusResponse {
        let tag = nextTag()
        var completion: StatusResponse?
        var pending: [UInt8] = []
        // A handler that fails does not stop the reading: the connection stays in step.
        var handlerError: (any Error)?
        try await send(CommandEncoder.encode(TaggedCommand(tag: tag, command: command)), tag: tag) { frame in
            pending.append(contentsOf: frame.bytes)
            guard case .line(_, _, true) = frame else { return }
            let bytes = pending
            pending = []
            switch try Self.parse(bytes) {
            case .tagged(let t, let status) where t == tag: completion = status
            case .untagged(let response) where handlerError == nil:
                do { try await onUntagged(response) } catch { handlerError = error }
            case .untagged, .tagged, .continuationRequest: break
            }
        }
        if let handlerError { throw handlerError }
        guard let completion else { throw IMAPClientError.protocolViolation("no completion for \(command.name)") }
        return completion
    }

    /// `run`, throwing `rejected` unless the server answered OK.
    @discardableResult
    public func execute(_ command: Command, onUntagged: (UntaggedResponse) async throws -> Void = { _ in }) async throws -> StatusResponse {
        let status = try await run(command, onUntagged: onUntagged)
        guard status.status == .ok else { throw IMAPClientError.rejected(command: command.name, status) }
        return status
    }

    /// Sends one complete command whose tag is `tag` and hands every response frame to
    /// `onFrame` up to and including the tagged completion. Literals go non-synchronizing
    /// when the server allows it; otherwise each waits for the server's `+`, which is not
    /// handed on. Used raw by the proxy, which forwards the frames to its client.
    public func send(_ command: [UInt8], tag: String, onFrame: (ResponseFrame) async throws -> Void) async throws {
        let literals = CommandLiterals(command)
        if literals.literalSizes.isEmpty {
            try await write(command)
        } else if CommandLiterals.mayBeNonSynchronizing(sizes: literals.literalSizes, capabilities: capabilities) {
            try await write(literals.nonSynchronizing)
        } else {
            var remaining = literals.segments[...]
            try await write(remaining.removeFirst())
            // Each literal waits for the server's "+"; a tagged answer instead ends the command early.
            while !remaining.isEmpty {
                let frame = try await nextFrame()
                if case .line(let line, true, _) = frame, ResponseFramer.isContinuation(line) {
                    try await write(remaining.removeFirst())
                    continue
                }
                if try await forward(frame, to: onFrame) == tag { return }
            }
        }
        try await receive(until: tag, onFrame: onFrame)
    }

    /// True when `command` can go out in a pipeline: it has no literal, or only literals this
    /// server takes without waiting (LITERAL+, or LITERAL- for small ones).
    public func canPipeline(_ command: [UInt8]) -> Bool {
        let sizes = CommandLiterals(command).literalSizes
        return sizes.isEmpty || CommandLiterals.mayBeNonSynchronizing(sizes: sizes, capabilities: capabilities)
    }

    /// Pipelining (RFC 9051 §5.5): sends several commands, each with its own tag, in one
    /// write without waiting for the answers in between, then hands every frame to `onFrame`
    /// until all of them are complete (in whatever order the server completes them). Every
    /// command must pass `canPipeline`.
    public func pipeline(_ commands: [(tag: String, bytes: [UInt8])], onFrame: (ResponseFrame) async throws -> Void) async throws {
        var batch: [UInt8] = []
        for command in commands {
            let literals = CommandLiterals(command.bytes)
            if literals.literalSizes.isEmpty {
                batch += command.bytes
            } else {
                precondition(CommandLiterals.mayBeNonSynchronizing(sizes: literals.literalSizes, capabilities: capabilities),
                             "a command that waits for continuations cannot be pipelined")
                batch += literals.nonSynchronizing
            }
        }
        try await write(batch)
        var pending = Set(commands.map(\.tag))
        while !pending.isEmpty {
            if let completed = try await forward(try await nextFrame(), to: onFrame) { pending.remove(completed) }
        }
    }

    /// Sends the head of a command that ends in a literal announcement, for a caller that
    /// streams the literal itself; with a synchronizing announcement, waits for the `+`.
    /// False when the server answered the command instead (its completion went to `onFrame`).
    public func sendHead(_ head: [UInt8], tag: String, waitForContinuation: Bool,
                         onFrame: (ResponseFrame) async throws -> Void) async throws -> Bool {
        try await write(head)
        guard waitForContinuation else { return true }
        while true {
            let frame = try await nextFrame()
            if case .line(let line, true, _) = frame, ResponseFramer.isContinuation(line) { return true }
            if try await forward(frame, to: onFrame) == tag { return false }
        }
    }

    /// Hands every frame to `onFrame` up to and including the tagged completion of `tag`.
    public func receive(until tag: String, onFrame: (ResponseFrame) async throws -> Void) async throws {
        while true {
            if try await forward(try await nextFrame(), to: onFrame) == tag { return }
        }
    }

    /// The tag of the response whose frames are being read, nil for untagged ones.
    private var currentResponseTag: String?

    /// Hands on one frame; the tag of the tagged response it ended, if it ended one.
    private func forward(_ frame: ResponseFrame, to onFrame: (ResponseFrame) async throws -> Void) async throws -> String? {
        if case .line(let line, true, _) = frame { currentResponseTag = ResponseFramer.tag(of: line) }
        try await onFrame(frame)
        if case .line(_, _, true) = frame { return currentResponseTag }
        return nil
    }

    /// Writes bytes to the server as they are.
    public func write(_ bytes: [UInt8]) async throws {
        do {
            try await outbound.write(ByteBuffer(bytes: bytes))
        } catch {
            throw IMAPClientError.closed(byeText ?? "the connection is closed")
        }
    }

    // MARK: - Reading

    /// The next frame, waiting for it.
    public func nextFrame() async throws -> ResponseFrame {
        while true {
            if let frame = try framedNext() { return frame }
            do {
                framer.append(try await inbox.next().readableBytesView)
            } catch let error as IMAPClientError {
                throw byeText.map { IMAPClientError.closed($0) } ?? error
            }
        }
    }

    /// The next frame if its bytes are already here; nil otherwise (never waits).
    public func pollFrame() throws -> ResponseFrame? {
        while true {
            if let frame = try framedNext() { return frame }
            do {
                guard let buffer = try inbox.poll() else { return nil }
                framer.append(buffer.readableBytesView)
            } catch {
                throw byeText.map { IMAPClientError.closed($0) } ?? error
            }
        }
    }

    private func framedNext() throws -> ResponseFrame? {
        let frame: ResponseFrame?
        do {
            frame = try framer.next()
        } catch {
            throw IMAPClientError.protocolViolation(error.message)
        }
        if case .line(let line, true, _) = frame, line.starts(with: Array("* BYE".utf8)) {
            byeText = String(decoding: line.dropFirst(6), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return frame
    }

    /// Runs `callback` when the server sends bytes that nobody is waiting for (unsolicited
    /// responses, IDLE updates, or the connection's end).
    public func onUnsolicitedData(_ callback: (@Sendable () -> Void)?) {
        inbox.setOnArrival(callback)
    }

    /// One complete response, parsed.
    func nextParsedResponse() async throws -> Response {
        var bytes: [UInt8] = []
        while true {
            let frame = try await nextFrame()
            bytes.append(contentsOf: frame.bytes)
            if case .line(_, _, true) = frame { return try Self.parse(bytes) }
        }
    }

    static func parse(_ bytes: [UInt8]) throws -> Response {
        do {
            return try ResponseParser.parse(bytes)
        } catch {
            let line = String(decoding: bytes.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw IMAPClientError.protocolViolation("\(error.message) in \"\(line)\"")
        }
    }

    // MARK: - Session

    /// Logs in with LOGIN, or AUTHENTICATE PLAIN when the server disables LOGIN. A refusal
    /// throws `rejected` with the server's status (its code tells a wrong password from an outage).
    public func login(user: String, password: String) async throws {
        let status: StatusResponse
        if capabilities.contains("LOGINDISABLED") {
            guard capabilities.contains("AUTH=PLAIN") else {
                throw IMAPClientError.missingCapability("LOGIN or AUTH=PLAIN", purpose: "log in")
            }
            guard capabilities.contains("SASL-IR") else {
                throw IMAPClientError.missingCapability("SASL-IR", purpose: "log in with AUTHENTICATE PLAIN (LOGIN is disabled)")
            }
            let message = [UInt8]() + [0] + Array(user.utf8) + [0] + Array(password.utf8)
            status = try await run(.authenticate(mechanism: "PLAIN", initialResponse: message))
        } else {
            status = try await run(.login(username: Array(user.utf8), password: Array(password.utf8)))
        }
        guard status.status == .ok else { throw IMAPClientError.rejected(command: "LOGIN", status) }
        adoptCapabilities(from: status)
        if case .capability = status.code {} else { try await refreshCapabilities() }
    }

    /// LOGOUT, then close; errors are ignored (the server may be gone already).
    public func logout() async {
        _ = try? await run(.logout)
        close()
    }

    public func close() {
        channel.close(promise: nil)
    }
}
