import IMAPClient
import IMAPCore
import MailStore
import Upstream

/// The commands on upstream mailboxes. While one is selected, its commands and responses are
/// relayed as bytes (the client's own frame, with its tag), parsing only the completion and
/// what the session must know (SELECT's UIDVALIDITY); commands that name a mailbox are sent
/// with the name translated to the upstream's.
extension UpstreamBackend {
    // MARK: - Mailboxes by name

    func status(tag: String, name: String, attributes: [StatusAttribute]) async throws {
        try await forward(tag: tag, .status(try upstreamName(name), attributes))
    }

    func create(tag: String, name: String, specialUse: [String]) async throws {
        try await forward(tag: tag, .create(try upstreamName(name), specialUse: specialUse))
    }

    func delete(tag: String, name: String) async throws {
        try await forward(tag: tag, .delete(try upstreamName(name)))
    }

    func rename(tag: String, from: String, to: String) async throws {
        try await forward(tag: tag, .rename(from: try upstreamName(from), to: try upstreamName(to)))
    }

    func subscribe(tag: String, name: String, subscribed: Bool) async throws {
        let wire = try upstreamName(name)
        try await forward(tag: tag, subscribed ? .subscribe(wire) : .unsubscribe(wire))
    }

    func append(tag: String, name: String, message: AppendMessage) async throws {
        try await append(tag: tag, name: name, messages: [message])
    }

    /// APPEND, MULTIAPPEND (RFC 3502) and CATENATE (RFC 4469), offered in proxy mode when the
    /// upstream has them: the mailbox, and those in CATENATE's URLs, take the upstream's names.
    func append(tag: String, name: String, messages: [AppendMessage]) async throws {
        if messages.count > 1, !capabilities.contains("MULTIAPPEND") {
            throw CommandFailure(status: .bad, text: "Your mail server does not take several messages in one APPEND; append one at a time")
        }
        let translated = try messages.map { message in
            guard let parts = message.catenate else { return message }
            guard capabilities.contains("CATENATE") else {
                throw CommandFailure(status: .bad, text: "Your mail server does not offer CATENATE; append the whole message")
            }
            var message = message
            message.catenate = try parts.map { part in
                guard case .url(let text) = part else { return part }
                return .url(try upstreamURL(text))
            }
            return message
        }
        let mailbox = try upstreamName(name)
        let command: Command = translated.count == 1 ? .append(mailbox, translated[0]) : .multiAppend(mailbox, translated)
        try await relay(CommandEncoder.encode(TaggedCommand(tag: tag, command: command)), tag: tag)
    }

    /// A CATENATE URL with the upstream's name for its mailbox; one to a CRM folder, which the
    /// upstream cannot read, is `NO [BADURL]`.
    private func upstreamURL(_ text: String) throws -> String {
        guard let url = IMAPURL(text) else {
            throw CommandFailure(code: .other("BADURL", text), text: "Not an IMAP URL to a message or part of one (RFC 5092)")
        }
        if session.isLocal(url.mailbox) {
            throw CommandFailure(code: .other("BADURL", text), text: "A message in the CRM folders cannot be part of a message appended to your mail server")
        }
        return url.naming(try names.upstreamText(url.mailbox))
    }

    /// GETQUOTA, GETQUOTAROOT and SETQUOTA (RFC 9208, RFC 2087) on the upstream's quotas, with
    /// mailbox names translated both ways.
    func quota(tag: String, _ command: Command, mailbox: String?) async throws {
        var upstreamCommand = command
        if let mailbox { upstreamCommand = .getQuotaRoot(try upstreamName(mailbox)) }
        let status = try await run(upstreamCommand) { response in
            switch response {
            case .quotaRoot(let name, let roots): send(.untagged(.quotaRoot(encodeName(try clientName(name)), roots: roots)))
            case .quota: send(.untagged(response))
            default: break
            }
        }
        try await answer(tag, with: status)
    }

    func select(tag: String, name: String, parameters: SelectParameters, readOnly: Bool) async throws {
        if parameters.condstore { condstore = true }
        let wire = try upstreamName(name)
        let command: Command = readOnly ? .examine(wire, parameters) : .select(wire, parameters)
        var uidValidity: UInt32?
        let status = try await relay(CommandEncoder.encode(TaggedCommand(tag: tag, command: command)), tag: tag) { line in
            // Only the line with UIDVALIDITY is parsed, not every FLAGS, EXISTS and OK of the answer.
            guard Self.mentions(line, "UIDVALIDITY"),
                  case .untagged(.status(let response))? = try? ResponseParser.parse(line) else { return }
            if case .uidValidity(let value)? = response.code {
                uidValidity = value
            }
        }
        if status.status == .ok {
            selectedName = name
            selectedUIDValidity = uidValidity
        }
    }

    /// Another upstream mailbox: its SELECT closes this one upstream (with `[CLOSED]` from
    /// there). A local one: UNSELECT here, so no updates of this one arrive any more.
    func leave(reselecting: Bool) async throws {
        selectedName = nil
        guard !reselecting else { return }
        if capabilities.contains("UNSELECT") { try await run(.unselect) }
        announceClosed()
    }

    // MARK: - The selected mailbox: relayed as the client sent it

    func fetch(tag: String, set: SequenceSet, attributes: [FetchAttribute], modifiers: FetchModifiers, uid: Bool) async throws {
        try await relayCommand(tag)
    }

    func search(tag: String, _ command: SearchCommand, uid: Bool) async throws {
        try await relayCommand(tag)
    }

    func sort(tag: String, _ command: SortCommand, uid: Bool) async throws {
        try await relayCommand(tag)
    }

    func thread(tag: String, _ command: ThreadCommand, uid: Bool) async throws {
        try await relayCommand(tag)
    }

    func store(tag: String, set: SequenceSet, modifiers: StoreModifiers, action: StoreAction, uid: Bool) async throws {
        try await relayCommand(tag)
    }

    func expunge(tag: String, uids: SequenceSet?) async throws {
        try await relayCommand(tag)
    }

    func check(tag: String, verb: String) async throws {
        try await relayCommand(tag)
    }

    func close(tag: String, expunge: Bool) async throws {
        if try await relayCommand(tag).status == .ok { selectedName = nil }
    }

    func copy(tag: String, set: SequenceSet, destination: String, uid: Bool, move: Bool) async throws {
        let target = try upstreamName(destination)
        let command: Command = move ? .move(set, target, uid: uid) : .copy(set, target, uid: uid)
        try await relay(CommandEncoder.encode(TaggedCommand(tag: tag, command: command)), tag: tag)
    }

    func announceChanges(expungesAllowed: Bool, endOfCommand: Bool) async throws {
        try await drain()
    }

    /// True when `line` contains `word` (ASCII letters, any case).
    static func mentions(_ line: [UInt8], _ word: StaticString) -> Bool {
        let needle = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard line.count >= needle.count else { return false }
        for start in 0...(line.count - needle.count) {
            var index = 0
            while index < needle.count, line[start + index] & 0xDF == needle[index] { index += 1 }
            if index == needle.count { return true }
        }
        return false
    }

    // MARK: - IDLE

    func startIdle(tag: String) async throws -> Bool {
        try await flush()
        try await connection.write(session.currentFrame)
        while true {
            let frame = try await connection.nextFrame()
            session.output.append(contentsOf: frame.bytes)
            guard case .line(let line, true, let last) = frame else { continue }
            if ResponseFramer.isContinuation(line) {
                idling = true
                return true
            }
            if last, ResponseFramer.tag(of: line) == tag { return false }
        }
    }

    /// The client ended IDLE: end it upstream and pass its completion on (or, if the client
    /// sent something other than DONE, answer BAD as the local IDLE does).
    func finishIdle(tag: String, done: Bool) async throws {
        idling = false
        try await flush()
        try await connection.write(Array("DONE\r\n".utf8))
        try await connection.receive(until: tag) { frame in
            if !done, case .line(let line, true, true) = frame, ResponseFramer.tag(of: line) == tag { return }
            session.output.append(contentsOf: frame.bytes)
            try await flushIfLarge()
        }
        if !done { reply(tag, CommandFailure(status: .bad, text: "Expected DONE to end IDLE")) }
    }

    // MARK: - Relaying

    /// Relays the client's command exactly as it came.
    @discardableResult
    private func relayCommand(_ tag: String) async throws -> StatusResponse {
        try await relay(session.currentFrame, tag: tag)
    }

    /// Sends a command upstream with the client's tag and passes every response back as it
    /// comes, body chunks included; returns the tagged status.
    /// `inspect` sees each one-line untagged response on the way (SELECT's UIDVALIDITY).
    @discardableResult
    func relay(_ bytes: [UInt8], tag: String, inspect: (([UInt8]) -> Void)? = nil) async throws -> StatusResponse {
        var completion: [UInt8] = []
        try await flush()
        try await connection.send(bytes, tag: tag) { frame in
            session.output.append(contentsOf: frame.bytes)
            if case .line(let line, true, true) = frame {
                if ResponseFramer.tag(of: line) == tag { completion = line } else { inspect?(line) }
            }
            try await flushIfLarge()
        }
        return try Self.status(ofCompletion: completion)
    }

    /// Relays commands the client pipelined, all sent upstream at once (`Session+Pipeline`).
    func relayPipelined(_ commands: [(tag: String, bytes: [UInt8])]) async throws {
        try await flush()
        try await connection.pipeline(commands) { frame in
            session.output.append(contentsOf: frame.bytes)
            try await flushIfLarge()
        }
    }

    static func status(ofCompletion line: [UInt8]) throws -> StatusResponse {
        guard case .tagged(_, let status) = try? ResponseParser.parse(line) else {
            throw IMAPClientError.protocolViolation("unreadable completion \"\(String(decoding: line.prefix(200), as: UTF8.self))\"")
        }
        return status
    }

    /// Passes on what the upstream sent between commands (IDLE updates) for the selected
    /// upstream mailbox; drops it when none is selected (it concerns no mailbox of the client).
    func drain() async throws {
        while let frame = try connection.pollFrame() {
            if isSelected {
                session.output.append(contentsOf: frame.bytes)
                try await flushIfLarge()
            }
        }
    }

    /// Runs a command of our own upstream; mailbox updates that arrive meanwhile for the
    /// selected upstream mailbox go to the client, the rest to `onUntagged`.
    @discardableResult
    func run(_ command: Command, onUntagged: (UntaggedResponse) async throws -> Void = { _ in }) async throws -> StatusResponse {
        try await connection.run(command) { response in
            if Self.isMailboxUpdate(response) {
                if isSelected { send(.untagged(response)) }
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

    /// Throws the upstream's refusal of a command of ours, for the session to answer.
    func require(_ status: StatusResponse) throws {
        guard status.status == .ok else {
            throw CommandFailure(status: status.status == .bad ? .bad : .no, code: status.code, text: status.text)
        }
    }

    /// Answers the client with the upstream's status for a command it ran there.
    func answer(_ tag: String, with status: StatusResponse) async throws {
        try require(status)
        try await ok(tag, status.text, code: status.code)
    }

    /// Runs a command upstream that names a mailbox, and answers the client with its status
    /// (a STATUS reply with the client's name for the mailbox).
    private func forward(tag: String, _ command: Command) async throws {
        let status = try await run(command) { response in
            if case .mailboxStatus(let name, let values) = response {
                send(.untagged(.mailboxStatus(encodeName(try clientName(name)), values)))
            }
        }
        try await answer(tag, with: status)
    }

    // MARK: - ENABLE

    /// ENABLE (RFC 5161) in proxy mode: what changes the upstream's behaviour is enabled there
    /// too, and only what the upstream offers is enabled at all; returns what the session may enable.
    func enable(_ requested: [String]) async throws -> [String] {
        let wanted = requested.map { $0.uppercased() }.filter { !Self.upstreamDependent.contains($0) || capabilities.contains($0) }
        let upstreamNames = wanted.filter { ["CONDSTORE", "QRESYNC", "UTF8=ACCEPT", "IMAP4REV2"].contains($0) }
        if !upstreamNames.isEmpty {
            var enabled: [String] = []
            try await run(.enable(upstreamNames)) { response in
                if case .enabled(let list) = response { enabled += list.map { $0.uppercased() } }
            }
            if enabled.contains("UTF8=ACCEPT") || enabled.contains("IMAP4REV2") { self.names.utf8 = true }
        }
        return wanted
    }

    /// Capabilities that describe how mailboxes behave, which an upstream mailbox has only if
    /// the upstream offers them.
    static let upstreamDependent: Set<String> = [
        "IMAP4REV2", "IDLE", "UIDPLUS", "MOVE", "UNSELECT", "ESEARCH", "BINARY", "CONDSTORE", "QRESYNC",
        "SORT", "SORT=DISPLAY", "ESORT", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "WITHIN", "SEARCHRES", "OBJECTID", "SAVEDATE",
        "UTF8=ACCEPT", "STATUS=SIZE", "CREATE-SPECIAL-USE",
    ]

    /// Our capabilities less what the upstream cannot honour, APPENDLIMIT the smaller one, and
    /// the extensions relayed only (MULTIAPPEND, CATENATE, the QUOTA family) as it has them.
    func mergedCapabilities(_ ours: [String]) -> [String] {
        let theirs = capabilities
        let theirLimit = theirs.first { $0.hasPrefix("APPENDLIMIT=") }.flatMap { Int($0.dropFirst("APPENDLIMIT=".count)) }
        let merged = ours.compactMap { name -> String? in
            let upper = name.uppercased()
            if Self.upstreamDependent.contains(upper) { return theirs.contains(upper) ? name : nil }
            if upper.hasPrefix("APPENDLIMIT="), let theirLimit {
                return "APPENDLIMIT=\(min(theirLimit, configuration.maxMessageBytes))"
            }
            return name
        }
        return merged + theirs.filter { $0 == "MULTIAPPEND" || $0 == "CATENATE" || $0 == "QUOTA" || $0.hasPrefix("QUOTA=") }.sorted()
    }
}
