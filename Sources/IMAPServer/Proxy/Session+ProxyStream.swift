import IMAPClient
import IMAPCore

/// A command whose big literal is being streamed (proxy mode): an APPEND to an upstream
/// mailbox goes through in pieces, so a 20 MB message never sits in crmgate's memory; any
/// other command is gathered whole and run as usual.
enum StreamedCommand {
    case relaying(tag: String, UpstreamBackend)
    case gathering(frame: [UInt8])
}

extension Session {
    /// Literals from this size on are streamed in proxy mode.
    static let streamedLiteralSize = 256 * 1024

    /// One framing event of a streamed command.
    func stream(_ event: FramingEvent) async throws {
        switch event {
        case .literalStart(let head, let size, let synchronizing):
            try await beginStreamedLiteral(head: head, size: size, synchronizing: synchronizing)
        case .literalData(let bytes):
            try await continueStreamedLiteral(bytes)
        case .frame(let tail):
            try await finishStreamedLiteral(tail: tail)
        case .continuationNeeded, .error:
            break
        }
    }

    func beginStreamedLiteral(head: [UInt8], size: Int, synchronizing: Bool) async throws {
        if case .relaying(let tag, let link)? = streamed {
            // A later literal of the command being relayed (the next message of a MULTIAPPEND).
            if try await relayRest(head, tag: tag, link) {
                if synchronizing { send(.continuationRequest(Array("Ready for literal data".utf8))) }
            } else {
                streamed = nil
                framer.refuseStreamedLiteral(synchronizing: synchronizing)
            }
            return
        }
        let relayable: (String, [UInt8])?
        do {
            relayable = try upstream.flatMap { try upstreamAppendHead(head, size: size, $0) }
        } catch {
            // A mailbox name that cannot go upstream: BAD, as for a small APPEND, and the literal is not taken.
            reply(ResponseFramer.tag(of: head), CommandFailure(status: .bad, text: "\(error)"))
            framer.refuseStreamedLiteral(synchronizing: synchronizing)
            return
        }
        if let link = upstream, let (tag, upstreamHead) = relayable {
            try await flush()
            var refused = false
            let accepted = try await link.connection.sendHead(upstreamHead, tag: tag,
                                                              waitForContinuation: !Self.nonSynchronizing(size, link)) { frame in
                output.append(contentsOf: frame.bytes)
                if case .line(let line, true, true) = frame, ResponseFramer.tag(of: line) == tag { refused = true }
            }
            if accepted && !refused {
                streamed = .relaying(tag: tag, link)
                if synchronizing { send(.continuationRequest(Array("Ready for literal data".utf8))) }
            } else {
                // Refused before its literal came (the answer went to the client): the framer
                // drops the rest of this command, and nothing of it reaches us any more.
                framer.refuseStreamedLiteral(synchronizing: synchronizing)
            }
            return
        }
        streamed = .gathering(frame: head)
        if synchronizing { send(.continuationRequest(Array("Ready for literal data".utf8))) }
    }

    func continueStreamedLiteral(_ data: [UInt8]) async throws {
        switch streamed {
        case .relaying(_, let link)?:
            try await link.connection.write(data)
        case .gathering(var frame)?:
            streamed = nil
            frame.append(contentsOf: data)
            streamed = .gathering(frame: frame)
        case nil:
            break
        }
    }

    /// The rest of the command after its streamed literal.
    func finishStreamedLiteral(tail: [UInt8]) async throws {
        let command = streamed
        streamed = nil
        switch command {
        case .relaying(let tag, let link)?:
            guard try await relayRest(tail, tag: tag, link) else { return }
            try await link.connection.receive(until: tag) { frame in
                output.append(contentsOf: frame.bytes)
                try await flushIfLarge()
            }
        case .gathering(let frame)?:
            try await process(frame + tail)
        case nil:
            break
        }
    }

    /// For `tag APPEND mailbox … {n}` to an upstream mailbox: the tag and the head to send
    /// upstream (name translated, literal announced for the upstream); nil for anything else.
    private func upstreamAppendHead(_ head: [UInt8], size: Int, _ link: UpstreamBackend) throws -> (String, [UInt8])? {
        guard state != .notAuthenticated, let announcement = head.lastIndex(of: UInt8(ascii: "{")) else { return nil }
        // The head parsed as if its literal were empty tells the command and its arguments.
        let probe = Array(head[..<announcement]) + Array("{0}\r\n\r\n".utf8)
        guard let parsed = try? CommandParser.parse(probe), case .append(let name, let message) = parsed.command else { return nil }
        let decoded = try decodeName(name)
        if isLocal(decoded) { return nil }
        var encoded = CommandEncoder.encode(TaggedCommand(tag: parsed.tag, command: .append(try link.upstreamName(decoded), message)))
        // Replace the encoder's empty literal with the real announcement.
        guard let brace = encoded.lastIndex(where: { $0 == UInt8(ascii: "{") }) else { return nil }
        encoded.removeSubrange(brace...)
        return (parsed.tag, encoded + Self.announcement(size, link))
    }

    /// Sends upstream what follows a streamed literal of a relayed command: its lines as they
    /// are, each literal announced the way the upstream takes it and, where the upstream must
    /// say go ahead first, sent after it does. The last announcement may be of a literal still
    /// to be streamed. False when the upstream refused part-way (its answer went to the client).
    private func relayRest(_ bytes: [UInt8], tag: String, _ link: UpstreamBackend) async throws -> Bool {
        var start = 0
        while start < bytes.count {
            guard let lf = bytes[start...].firstIndex(of: 0x0A) else {
                try await link.connection.write(Array(bytes[start...]))
                break
            }
            let text = bytes[start..<lf].last == 0x0D ? bytes[start..<(lf - 1)] : bytes[start..<lf]
            guard let (size, _) = CommandFramer.literalAnnouncement(text), let brace = text.lastIndex(of: UInt8(ascii: "{")) else {
                try await link.connection.write(Array(bytes[start...lf]))
                start = lf + 1
                continue
            }
            let announcement = Array(text[..<brace]) + Self.announcement(Int(clamping: size), link)
            var refused = false
            let accepted = try await link.connection.sendHead(announcement, tag: tag, waitForContinuation: !Self.nonSynchronizing(Int(clamping: size), link)) { frame in
                output.append(contentsOf: frame.bytes)
                if case .line(let line, true, true) = frame, ResponseFramer.tag(of: line) == tag { refused = true }
            }
            guard accepted, !refused else { return false }
            let end = min(bytes.count, lf + 1 + Int(clamping: size))
            try await link.connection.write(Array(bytes[(lf + 1)..<end]))
            start = end
        }
        return true
    }

    /// `{size}` or `{size+}` and CRLF, as the upstream takes a literal of that size (a `~`
    /// before it, for literal8, stays where it is).
    private static func announcement(_ size: Int, _ link: UpstreamBackend) -> [UInt8] {
        Array("{\(size)\(nonSynchronizing(size, link) ? "+" : "")}\r\n".utf8)
    }

    private static func nonSynchronizing(_ size: Int, _ link: UpstreamBackend) -> Bool {
        CommandLiterals.mayBeNonSynchronizing(sizes: [size], capabilities: link.capabilities)
    }
}
