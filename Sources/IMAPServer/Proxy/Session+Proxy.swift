import IMAPClient
import IMAPCore
import MailStore
import Upstream

/// Proxy mode (`[upstream]`): the user's own mailboxes live on the upstream server and only
/// the CRM tree is local. Commands on upstream mailboxes go there; while an upstream mailbox
/// is selected, its commands and responses are relayed as bytes, parsing only what routing
/// needs (tags, mailbox names, COPY/MOVE targets).
extension Session {
    /// Routes one command in proxy mode; false when the local code should run it.
    func proxy(_ command: TaggedCommand, _ link: UpstreamLink) async throws -> Bool {
        let tag = command.tag
        if link.selectedName != nil {
            switch command.command {
            case .check, .noop, .fetch, .store, .search, .expunge, .uidExpunge:
                try await relay(currentFrame, tag: tag, link)
                return true
            case .close, .unselect:
                if try await relay(currentFrame, tag: tag, link).status == .ok {
                    link.selectedName = nil
                    state = .authenticated
                }
                return true
            case .idle:
                try await startUpstreamIdle(tag: tag, link)
                return true
            case .copy, .move:
                guard let transfer = Transfer(command.command) else { return false }
                try await copyOrMoveUpstream(tag: tag, set: transfer.set, destination: transfer.destination, uid: transfer.uid,
                                             move: transfer.move, link)
                return true
            default:
                break
            }
        }
        if link.selectedName == nil, selected != nil, let transfer = Transfer(command.command) {
            let destination = try decodeName(transfer.destination)
            if !isLocal(destination) {
                try await copyOutOfCRMFolder(tag: tag, set: transfer.set, destination: destination, uid: transfer.uid,
                                             move: transfer.move, link)
                return true
            }
        }
        switch command.command {
        case .select(let name, let parameters):
            return try await selectUpstream(tag: tag, name: name, parameters: parameters, readOnly: false, link)
        case .examine(let name, let parameters):
            return try await selectUpstream(tag: tag, name: name, parameters: parameters, readOnly: true, link)
        case .create(let name, let uses):
            return try await forwardIfUpstream(tag: tag, name, link) { .create($0, specialUse: uses) }
        case .delete(let name):
            return try await forwardIfUpstream(tag: tag, name, link) { .delete($0) }
        case .subscribe(let name):
            return try await forwardIfUpstream(tag: tag, name, link) { .subscribe($0) }
        case .unsubscribe(let name):
            return try await forwardIfUpstream(tag: tag, name, link) { .unsubscribe($0) }
        case .status(let name, let attributes):
            return try await forwardIfUpstream(tag: tag, name, link) { .status($0, attributes) }
        case .rename(let from, let to):
            let (fromLocal, toLocal) = (isLocal(try decodeName(from)), isLocal(try decodeName(to)))
            if fromLocal && toLocal { return false }
            if fromLocal != toLocal {
                throw CommandFailure(code: .cannot, text: "A folder cannot move between your mail server and the CRM folders")
            }
            try await forward(tag: tag, .rename(from: try link.upstreamName(try decodeName(from)), to: try link.upstreamName(try decodeName(to))), link)
            return true
        case .append(let name, let message):
            let decoded = try decodeName(name)
            if isLocal(decoded) {
                // Into a drop folder: processed, it goes to the upstream INBOX, not a local one.
                try await appendToCRMFolder(tag: tag, name: name, message: message, origin: UpstreamOrigin(folder: "INBOX"))
                return true
            }
            let bytes = CommandEncoder.encode(TaggedCommand(tag: tag, command: .append(try link.upstreamName(decoded), message)))
            try await relay(bytes, tag: tag, link)
            return true
        case .list(let list):
            try await listMerged(tag: tag, list, link)
            return true
        case .lsub(let reference, let pattern):
            try await lsubMerged(tag: tag, reference: reference, pattern: pattern, link)
            return true
        case .enable(let names):
            try await enableBoth(tag: tag, names, link)
            return true
        default:
            return false
        }
    }

    // MARK: - Routing

    /// True for a mailbox of the CRM tree, which is always served locally.
    func isLocal(_ name: String) -> Bool {
        let top = name.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? name
        return localRoots.contains(top)
    }

    /// Reads which top-level folders are the user's CRM tree.
    func refreshLocalRoots() async throws {
        guard let user else { return }
        let managed = try await store.managedMailboxes(of: user.id)
        localRoots = Set(managed.compactMap { $0.mailbox.name.split(separator: "/", maxSplits: 1).first.map(String.init) })
    }

    // MARK: - Relaying

    /// Sends a command upstream with the client's tag and passes every response back as it
    /// comes, body chunks included; returns the tagged status.
    /// `inspect` sees each one-line untagged response on the way (SELECT's UIDVALIDITY).
    @discardableResult
    func relay(_ bytes: [UInt8], tag: String, _ link: UpstreamLink,
               inspect: (([UInt8]) -> Void)? = nil) async throws -> StatusResponse {
        var completion: [UInt8] = []
        try await flush()
        try await link.connection.send(bytes, tag: tag) { frame in
            output.append(contentsOf: frame.bytes)
            if case .line(let line, true, true) = frame {
                if ResponseFramer.tag(of: line) == tag { completion = line } else { inspect?(line) }
            }
            try await flushIfLarge()
        }
        return try Self.status(ofCompletion: completion)
    }

    static func status(ofCompletion line: [UInt8]) throws -> StatusResponse {
        guard case .tagged(_, let status) = try? ResponseParser.parse(line) else {
            throw IMAPClientError.protocolViolation("unreadable completion \"\(String(decoding: line.prefix(200), as: UTF8.self))\"")
        }
        return status
    }

    /// Passes on what the upstream sent between commands (IDLE updates) for the selected
    /// upstream mailbox; drops it when none is selected (it concerns no mailbox of the client).
    func drainUpstream() async throws {
        guard let link = upstream else { return }
        while let frame = try link.connection.pollFrame() {
            if link.selectedName != nil {
                output.append(contentsOf: frame.bytes)
                try await flushIfLarge()
            }
        }
    }

    /// The upstream connection failed: the session cannot go on, the CRM folders are untouched.
    func upstreamLost(_ error: IMAPClientError) {
        logger.warning("upstream connection lost", metadata: ["error": "\(error)"])
        send(.untagged(.status(StatusResponse(status: .bye, text: "Lost the connection to your mail server (\(error)); reconnect to continue"))))
        state = .logout
    }

    /// Runs a command of our own upstream; mailbox updates that arrive meanwhile for the
    /// selected upstream mailbox go to the client, the rest to `onUntagged`.
    @discardableResult
    func runUpstream(_ command: Command, _ link: UpstreamLink, onUntagged: (UntaggedResponse) async throws -> Void = { _ in }) async throws -> StatusResponse {
        try await link.connection.run(command) { response in
            if Self.isMailboxUpdate(response) {
                if link.selectedName != nil { send(.untagged(response)) }
            } else {
                try await onUntagged(response)
            }
        }
    }

    /// Responses about the selected mailbox that the client must hear whatever command they came with.
    static func isMailboxUpdate(_ response: UntaggedResponse) -> Bool {
        switch response {
        case .exists, .expunge, .fetch, .vanished, .recent, .flags: true
        default: false
        }
    }

    /// Answers the client with the upstream's status for a command it ran there.
    func answer(_ tag: String, with status: StatusResponse) async throws {
        if status.status == .ok {
            try await ok(tag, status.text, code: status.code)
        } else {
            reply(tag, CommandFailure(status: status.status == .bad ? .bad : .no, code: status.code, text: status.text))
        }
    }

    private func forward(tag: String, _ command: Command, _ link: UpstreamLink) async throws {
        let status = try await runUpstream(command, link) { response in
            if case .mailboxStatus(let name, let values) = response {
                send(.untagged(.mailboxStatus(encodeName(try link.clientName(name)), values)))
            }
        }
        try await answer(tag, with: status)
    }

    /// Runs a one-mailbox command upstream unless the mailbox is in the CRM tree.
    private func forwardIfUpstream(tag: String, _ name: MailboxName, _ link: UpstreamLink,
                                   _ make: (MailboxName) -> Command) async throws -> Bool {
        let decoded = try decodeName(name)
        if isLocal(decoded) { return false }
        try await forward(tag: tag, make(try link.upstreamName(decoded)), link)
        return true
    }

    // MARK: - Selecting

    private func selectUpstream(tag: String, name: MailboxName, parameters: SelectParameters, readOnly: Bool,
                                _ link: UpstreamLink) async throws -> Bool {
        let decoded = MailboxNaming.normalizeInbox(try decodeName(name))
        if isLocal(decoded) {
            if link.selectedName != nil {
                try await leaveUpstreamMailbox(link)
                if qresync || rev2 { send(.untagged(.status(StatusResponse(status: .ok, code: .closed, text: "Previous mailbox closed")))) }
            }
            return false
        }
        if selected != nil {
            deselect()
            if qresync || rev2 { send(.untagged(.status(StatusResponse(status: .ok, code: .closed, text: "Previous mailbox closed")))) }
        }
        if parameters.condstore { condstore = true }
        let upstreamName = try link.upstreamName(decoded)
        let command: Command = readOnly ? .examine(upstreamName, parameters) : .select(upstreamName, parameters)
        link.selectedName = nil
        state = .authenticated
        var uidValidity: UInt32?
        let status = try await relay(CommandEncoder.encode(TaggedCommand(tag: tag, command: command)), tag: tag, link) { line in
            if case .untagged(.status(let response))? = try? ResponseParser.parse(line), case .uidValidity(let value)? = response.code {
                uidValidity = value
            }
        }
        if status.status == .ok {
            link.selectedName = decoded
            link.selectedUIDValidity = uidValidity
            state = .selected
        }
        return true
    }

    /// Leaves the selected upstream mailbox without expunging (UNSELECT, RFC 3691).
    func leaveUpstreamMailbox(_ link: UpstreamLink) async throws {
        link.selectedName = nil
        guard link.capabilities.contains("UNSELECT") else { return }
        try await runUpstream(.unselect, link)
    }

    // MARK: - IDLE

    private func startUpstreamIdle(tag: String, _ link: UpstreamLink) async throws {
        try await flush()
        try await link.connection.write(currentFrame)
        while true {
            let frame = try await link.connection.nextFrame()
            output.append(contentsOf: frame.bytes)
            guard case .line(let line, true, let last) = frame else { continue }
            if ResponseFramer.isContinuation(line) {
                link.idling = true
                mode = .idle(tag: tag)
                return
            }
            if last, ResponseFramer.tag(of: line) == tag { return }
        }
    }

    /// The client ended IDLE: end it upstream and pass its completion on (or, if the client
    /// sent something other than DONE, answer BAD as the local IDLE does).
    func finishUpstreamIdle(tag: String, done: Bool, _ link: UpstreamLink) async throws {
        link.idling = false
        try await flush()
        try await link.connection.write(Array("DONE\r\n".utf8))
        try await link.connection.receive(until: tag) { frame in
            if !done, case .line(let line, true, true) = frame, ResponseFramer.tag(of: line) == tag { return }
            output.append(contentsOf: frame.bytes)
            try await flushIfLarge()
        }
        if !done { reply(tag, CommandFailure(status: .bad, text: "Expected DONE to end IDLE")) }
    }

    // MARK: - COPY and MOVE

    private func copyOrMoveUpstream(tag: String, set: SequenceSet, destination: MailboxName, uid: Bool, move: Bool,
                                    _ link: UpstreamLink) async throws {
        let decoded = try decodeName(destination)
        if isLocal(decoded) {
            try await copyIntoCRMFolder(tag: tag, set: set, destination: decoded, uid: uid, move: move, link)
            return
        }
        let target = try link.upstreamName(decoded)
        let command: Command = move ? .move(set, target, uid: uid) : .copy(set, target, uid: uid)
        try await relay(CommandEncoder.encode(TaggedCommand(tag: tag, command: command)), tag: tag, link)
    }

    // MARK: - ENABLE

    /// ENABLE (RFC 5161) in proxy mode: what changes the upstream's behaviour is enabled there
    /// too, and only what the upstream offers is enabled at all.
    private func enableBoth(tag: String, _ names: [String], _ link: UpstreamLink) async throws {
        let wanted = names.map { $0.uppercased() }.filter { !Self.upstreamDependent.contains($0) || link.capabilities.contains($0) }
        let upstreamNames = wanted.filter { ["CONDSTORE", "QRESYNC", "UTF8=ACCEPT", "IMAP4REV2"].contains($0) }
        if !upstreamNames.isEmpty {
            var enabled: [String] = []
            try await runUpstream(.enable(upstreamNames), link) { response in
                if case .enabled(let list) = response { enabled += list.map { $0.uppercased() } }
            }
            if enabled.contains("UTF8=ACCEPT") || enabled.contains("IMAP4REV2") { link.names.utf8 = true }
        }
        try await enable(tag: tag, wanted)
    }

    /// Capabilities that describe how mailboxes behave, which an upstream mailbox has only if
    /// the upstream offers them.
    static let upstreamDependent: Set<String> = [
        "IMAP4REV2", "IDLE", "UIDPLUS", "MOVE", "UNSELECT", "ESEARCH", "BINARY", "CONDSTORE", "QRESYNC",
        "UTF8=ACCEPT", "STATUS=SIZE", "CREATE-SPECIAL-USE",
    ]

    /// Our capabilities less what the upstream cannot honour; APPENDLIMIT is the smaller one.
    func mergedCapabilities(_ ours: [String], _ link: UpstreamLink) -> [String] {
        let theirs = link.capabilities
        let theirLimit = theirs.first { $0.hasPrefix("APPENDLIMIT=") }.flatMap { Int($0.dropFirst("APPENDLIMIT=".count)) }
        return ours.compactMap { name in
            let upper = name.uppercased()
            if Self.upstreamDependent.contains(upper) { return theirs.contains(upper) ? name : nil }
            if upper.hasPrefix("APPENDLIMIT="), let theirLimit {
                return "APPENDLIMIT=\(min(theirLimit, configuration.maxMessageBytes))"
            }
            return name
        }
    }
}

/// COPY or MOVE (UID or not), as one value: both go the same ways in proxy mode.
private struct Transfer {
    var set: SequenceSet
    var destination: MailboxName
    var uid: Bool
    var move: Bool

    init?(_ command: Command) {
        switch command {
        case .copy(let set, let destination, let uid): self.init(set: set, destination: destination, uid: uid, move: false)
        case .move(let set, let destination, let uid): self.init(set: set, destination: destination, uid: uid, move: true)
        default: return nil
        }
    }

    private init(set: SequenceSet, destination: MailboxName, uid: Bool, move: Bool) {
        self.set = set; self.destination = destination; self.uid = uid; self.move = move
    }
}
