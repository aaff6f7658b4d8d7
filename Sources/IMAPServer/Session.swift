import Foundation
import GatewayConfig
import IMAPClient
import IMAPCore
import Logging
import MailStore
import NIOCore
import NIOSSL

/// A command that cannot be carried out, answered as a tagged NO or BAD.
struct CommandFailure: Error {
    var status: StatusResponse.Status = .no
    var code: ResponseCode?
    var text: String
}

/// One IMAP connection: the state machine of RFC 9051 §3 driven by `SessionEvent`s. The
/// selected state is a backend's (`selectedBackend`): the session routes commands on
/// mailboxes to their backend (`Session+Routing`) and runs the rest itself.
final class Session {
    enum State: Equatable { case notAuthenticated, authenticated, logout }

    /// What the next client line is: a command, a SASL response, or IDLE's DONE (for the
    /// backend that is idling).
    enum LineMode { case command, authenticate(tag: String), idle(tag: String, MailboxBackend) }

    let connection: NIOAsyncChannel<SessionEvent, ByteBuffer>
    let context: ServerContext
    var logger: Logger
    /// Adds events to the connection's inbound stream, from anywhere.
    let events: SessionEvents
    let peer: String
    let connectedAt = ContinuousClock.now

    var isTLS: Bool
    var state: State = .notAuthenticated
    var mode: LineMode = .command
    var user: (id: UserID, email: String)?
    var framer: CommandFramer
    var output: [UInt8] = []
    var outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>?
    var lastActivity = ContinuousClock.now
    /// The local store's mailboxes (in proxy mode, the CRM tree).
    lazy var local = LocalBackend(session: self)
    /// Proxy mode: the user's mail server, once logged in through it.
    var upstream: UpstreamBackend?
    /// Top-level names of the user's CRM tree, the mailboxes served locally in proxy mode.
    var localRoots: Set<String> = []
    /// The bytes of the command being executed, as the client sent them (for relaying).
    var currentFrame: [UInt8] = []
    /// A command whose big literal is being streamed (proxy mode).
    var streamed: StreamedCommand?

    /// Extensions the client turned on with ENABLE (RFC 5161) or by use (CONDSTORE).
    var utf8Names = false
    var rev2 = false
    var condstore = false
    var qresync = false

    var store: LocalStore { context.store }
    var configuration: GatewayConfiguration.IMAP { context.configuration }

    init(connection: NIOAsyncChannel<SessionEvent, ByteBuffer>, events: SessionEvents, context: ServerContext, isTLS: Bool) {
        self.connection = connection
        self.events = events
        self.context = context
        self.isTLS = isTLS
        self.peer = connection.channel.remoteAddress?.ipAddress ?? "unknown"
        self.framer = CommandFramer(limits: FramingLimits(
            maxLineLength: context.configuration.maxLineBytes,
            maxLiteralSize: context.configuration.maxMessageBytes,
            maxCommandSize: context.configuration.maxMessageBytes + context.configuration.maxLineBytes * 4))
        var logger = context.logger
        logger[metadataKey: "peer"] = "\(peer)"
        self.logger = logger
    }

    func run() async {
        let events = self.events
        guard let token = context.sessions.register(limit: configuration.maxConnections, signal: { signal in
            events.send(signal == .tick ? .tick : .shutdown)
        }) else {
            await refuse()
            return
        }
        logger.info("connection opened", metadata: ["tls": "\(isTLS)"])
        await converse()
        await close()
        context.sessions.unregister(token)
    }

    // `run`'s parts are functions of their own, kept from being inlined into it: an idle
    // session's task holds the frames of `run` and `converse` for as long as it lives, so
    // what only the refusal or the closing needs stays out of them.

    @inline(never)
    private func refuse() async {
        logger.warning("connection refused: server full or shutting down")
        try? await connection.executeThenClose { _, outbound in
            try await outbound.write(ByteBuffer(string: "* BYE Too many connections or shutting down, try again later\r\n"))
        }
    }

    /// The greeting, then every event until the connection ends.
    @inline(never)
    private func converse() async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                self.outbound = outbound
                try await self.inATaskOfItsOwn { try await $0.greet() }
                for try await event in inbound {
                    if try await self.inATaskOfItsOwn({ try await $0.handle(event) }) == false { break }
                }
            }
        } catch {
            logger.debug("connection error", metadata: ["error": "\(error)"])
        }
    }

    @inline(never)
    private func close() async {
        local.deselect()
        if let upstream {
            upstream.connection.onUnsolicitedData(nil)
            if let user { context.proxy?.access.sessions.release(user.email) }
            await upstream.connection.logout()
        }
        logger.info("connection closed", metadata: ["user": "\(user?.email ?? "-")"])
    }

    private func greet() async throws -> Bool {
        let code = ResponseCode.capability(capabilities)
        send(.untagged(.status(StatusResponse(status: .ok, code: code, text: "crmgate ready"))))
        try await flush()
        return true
    }

    /// `work` (the greeting, then each event's `handle`) in a child task. A task keeps the
    /// slabs of its deepest async call stack until it ends, so a session that ran its
    /// commands, or only wrote its greeting, in its own task would hold them while idle; a
    /// child task per event gives that memory back as soon as the event is handled. Events
    /// are handled one at a time: the child is the only one touching the session while it runs.
    @discardableResult
    private func inATaskOfItsOwn(_ work: @escaping @Sendable (Session) async throws -> Bool) async throws -> Bool {
        nonisolated(unsafe) let session = self
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await work(session) }
            return try await group.next() ?? false
        }
    }

    /// Handles one event; false when the connection must close.
    private func handle(_ event: SessionEvent) async throws -> Bool {
        switch event {
        case .data(let buffer):
            lastActivity = .now
            framer.append(buffer.readableBytesView)
            // What a pipeline of relayed commands stopped at, to handle next.
            var held: FramingEvent?
            while state != .logout, let framed = held ?? framer.next() {
                held = nil
                switch framed {
                case .continuationNeeded:
                    send(.continuationRequest(Array("Ready for literal data".utf8)))
                    try await flush()
                case .frame(let bytes) where streamed == nil:
                    if let command = pipelinable(bytes) {
                        held = try await relayPipeline(startingWith: command, bytes)
                    } else {
                        try await process(bytes)
                    }
                case .frame, .literalStart, .literalData:
                    do {
                        try await stream(framed)
                    } catch let error as IMAPClientError {
                        streamed = nil
                        upstreamLost(error)
                    }
                case .error(let error):
                    let code: ResponseCode? = if case .literalTooLarge = error.kind { .tooBig } else { nil }
                    reply(error.tag, CommandFailure(status: code == nil ? .bad : .no, code: code, text: error.message))
                }
                if output.count > 0 { try await flush() }
            }
            return state != .logout
        case .upstreamData:
            do {
                try await upstream?.drain()
            } catch let error as IMAPClientError {
                upstreamLost(error)
            }
            try await flush()
            return state != .logout
        case .mailboxChanged:
            local.changeEventArrived()
            if case .idle(_, let backend) = mode, backend === local {
                try await local.announceChanges(expungesAllowed: true, endOfCommand: false)
                try await flush()
            }
            return state != .logout
        case .tick:
            return try await checkTimeouts()
        case .shutdown:
            send(.untagged(.status(StatusResponse(status: .bye, text: "crmgate is shutting down, reconnect later"))))
            try await flush()
            state = .logout
            return false
        }
    }

    private func checkTimeouts() async throws -> Bool {
        let now = ContinuousClock.now
        if state == .notAuthenticated, now - connectedAt > .seconds(configuration.unauthenticatedTimeout) {
            logger.info("closing connection: no login in time")
            send(.untagged(.status(StatusResponse(status: .bye, text: "Timed out waiting for login"))))
        } else if state != .notAuthenticated, now - lastActivity > .seconds(configuration.idleTimeout) {
            logger.info("closing connection: autologout after inactivity")
            send(.untagged(.status(StatusResponse(status: .bye, text: "Autologout: no command for \(configuration.idleTimeout) seconds"))))
        } else {
            return true
        }
        try await flush()
        state = .logout
        return false
    }

    /// One complete frame from the client, interpreted according to the line mode.
    func process(_ frame: [UInt8]) async throws {
        switch mode {
        case .idle(let tag, let backend):
            try await finishIdle(tag: tag, line: frame, backend)
        case .authenticate(let tag):
            try await continueAuthenticate(tag: tag, line: frame)
        case .command:
            let command: TaggedCommand
            do {
                command = try CommandParser.parse(frame)
            } catch let error as CommandParseError {
                reply(error.tag, CommandFailure(status: .bad, text: error.message))
                return
            }
            currentFrame = frame
            await execute(command)
        }
    }

    /// The central gate: runs a command if the session state allows it, and turns
    /// failures into tagged responses.
    func execute(_ command: TaggedCommand) async {
        let tag = command.tag
        // Names only: arguments may hold passwords or whole messages.
        logger.debug("command", metadata: ["tag": "\(tag)", "command": "\(command.command.logName)"])
        do {
            try checkState(for: command.command)
            if try await route(command) == false { try await dispatch(command) }
            try await upstream?.drain()
        } catch let error as IMAPClientError {
            upstreamLost(error)
        } catch let failure as CommandFailure {
            reply(tag, failure)
        } catch let error as MailStoreError {
            reply(tag, CommandFailure(status: .no, code: error.responseCode, text: error.description))
        } catch let error as MailboxNameError {
            // The command is well formed; the name cannot denote a mailbox here (RFC 5530 CANNOT).
            reply(tag, CommandFailure(status: .no, code: .cannot, text: error.description))
        } catch {
            logger.error("command failed", metadata: ["error": "\(error)"])
            reply(tag, CommandFailure(status: .no, code: .serverBug, text: "Internal error; the administrator can find it in the log"))
        }
    }

    /// The upstream connection failed (proxy mode): the session cannot go on, the CRM folders
    /// are untouched.
    func upstreamLost(_ error: IMAPClientError) {
        logger.warning("upstream connection lost", metadata: ["error": "\(error)"])
        send(.untagged(.status(StatusResponse(status: .bye, text: "Lost the connection to your mail server (\(error)); reconnect to continue"))))
        state = .logout
    }

    private func checkState(for command: Command) throws {
        switch command {
        case .capability, .noop, .logout, .id:
            return
        case .starttls, .authenticate, .login:
            if state != .notAuthenticated { throw CommandFailure(status: .bad, text: "Already authenticated") }
        case .enable, .select, .examine, .create, .delete, .rename, .subscribe, .unsubscribe,
             .list, .lsub, .namespace, .status, .append, .multiAppend, .idle, .getQuota, .getQuotaRoot, .setQuota:
            if state == .notAuthenticated { throw CommandFailure(status: .bad, text: "Log in first") }
        case .check, .close, .unselect, .expunge, .uidExpunge, .search, .sort, .thread, .cancelUpdate, .fetch, .store, .copy, .move:
            if selectedBackend == nil { throw CommandFailure(status: .bad, text: "Select a mailbox first") }
        }
    }

    /// The commands that concern no mailbox.
    private func dispatch(_ command: TaggedCommand) async throws {
        let tag = command.tag
        switch command.command {
        case .capability:
            send(.untagged(.capability(capabilities)))
            try await ok(tag, "CAPABILITY completed")
        case .logout:
            send(.untagged(.status(StatusResponse(status: .bye, text: "crmgate logging out"))))
            reply(tag, nil, "LOGOUT completed")
            state = .logout
        case .id(let parameters):
            logger.debug("client ID", metadata: ["id": "\(parameters.map { "\($0)" } ?? "NIL")"])
            send(.untagged(.id([IDParameter(key: "name", value: Array("crmgate".utf8)), IDParameter(key: "vendor", value: Array("crmgate".utf8))])))
            try await ok(tag, "ID completed")
        case .starttls: try await startTLS(tag: tag)
        case .login(let username, let password): try await login(tag: tag, username: username, password: password)
        case .authenticate(let mechanism, let initial): try await authenticate(tag: tag, mechanism: mechanism, initialResponse: initial)
        case .enable(let names): try await enable(tag: tag, names)
        case .namespace:
            send(.untagged(.namespace(Namespaces(personal: [NamespaceDescription(prefix: [], delimiter: UInt8(ascii: "/"))]))))
            try await ok(tag, "NAMESPACE completed")
        case .getQuota, .getQuotaRoot, .setQuota:
            try await quota(tag: tag, command.command)
        default:
            // Commands on mailboxes are the router's (`route`), which ran before this.
            throw CommandFailure(status: .bad, text: "\(command.command.name) is not a session command")
        }
    }

    /// QUOTA (RFC 9208) on the local store; in proxy mode the mail server's quotas (the CRM
    /// folders are under none).
    private func quota(tag: String, _ command: Command) async throws {
        if let upstream {
            guard upstream.capabilities.contains("QUOTA") else {
                throw CommandFailure(status: .bad, text: "Your mail server does not offer QUOTA")
            }
            if case .getQuotaRoot(let name) = command {
                let decoded = try decodeName(name)
                guard !isLocal(decoded) else {
                    send(.untagged(.quotaRoot(name, roots: [])))
                    return try await ok(tag, "GETQUOTAROOT completed: the CRM folders count against no quota")
                }
                return try await upstream.quota(tag: tag, command, mailbox: decoded)
            }
            return try await upstream.quota(tag: tag, command, mailbox: nil)
        }
        switch command {
        case .getQuota(let root): try await local.getQuota(tag: tag, root: root)
        case .getQuotaRoot(let name): try await local.getQuotaRoot(tag: tag, name: try decodeName(name))
        default:
            throw CommandFailure(code: .noPerm, text: "Quotas are set by the administrator ([imap] quota_mb and quota_messages)")
        }
    }

    /// The client sent more than the command being answered (pipelined commands wait in the framer).
    var morePipelined: Bool { !framer.isIdle }

    // MARK: - Output

    func send(_ response: Response) {
        output.append(contentsOf: ResponseEncoder.encode(response))
    }

    /// Tagged OK after bringing the client up to date with its selected mailbox.
    func ok(_ tag: String, _ text: String, code: ResponseCode? = nil, expungesAllowed: Bool = true) async throws {
        try await selectedBackend?.announceChanges(expungesAllowed: expungesAllowed, endOfCommand: true)
        reply(tag, code, text)
    }

    func reply(_ tag: String, _ code: ResponseCode?, _ text: String) {
        send(.tagged(tag: tag, StatusResponse(status: .ok, code: code, text: text)))
    }

    func reply(_ tag: String?, _ failure: CommandFailure) {
        // No text: a parse error's text may quote the client's (secret) arguments.
        logger.debug("command refused", metadata: [
            "tag": "\(tag ?? "*")", "status": "\(failure.status)", "code": "\(failure.code.map { "\($0)" } ?? "-")",
        ])
        let status = StatusResponse(status: failure.status, code: failure.code, text: failure.text)
        send(tag.map { .tagged(tag: $0, status) } ?? .untagged(.status(status)))
    }

    func flush() async throws {
        guard !output.isEmpty, let outbound else { return }
        let bytes = output
        output.removeAll(keepingCapacity: output.count < 1 << 20)
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Flushes when a long response has grown past a chunk, so big FETCHes stream.
    func flushIfLarge() async throws {
        if output.count >= 256 * 1024 { try await flush() }
    }
}

extension Command {
    /// The name as the client sent it, with its UID prefix: "UID MOVE", "EXPUNGE".
    var logName: String {
        switch self {
        case .uidExpunge: "UID EXPUNGE"
        case .search(_, let uid), .sort(_, let uid), .thread(_, let uid), .fetch(_, _, _, let uid), .store(_, _, _, let uid),
             .copy(_, _, let uid), .move(_, _, let uid):
            uid ? "UID \(name)" : name
        default: name
        }
    }
}

extension MailStoreError {
    var responseCode: ResponseCode? {
        switch self {
        case .mailboxNotFound: .nonExistent
        case .mailboxExists: .alreadyExists
        case .mailboxHasChildren: .haschildren
        case .inboxCannotBeDeleted: .cannot
        case .invalidMailboxName: .cannot
        case .managedMailbox, .summariesOnly: .cannot
        case .userExists, .userNotFound: nil
        }
    }
}
