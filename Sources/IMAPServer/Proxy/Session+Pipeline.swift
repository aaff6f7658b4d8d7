import IMAPClient
import IMAPCore

/// Pipelining through the proxy: commands a client sends without waiting for the answers
/// (mbsync, offlineimap, Thunderbird's flag changes) go upstream together while an upstream
/// mailbox is selected, so the upstream works through them while their answers come back,
/// instead of one round trip each. Answers reach the client in the upstream's order, as
/// they would from the upstream itself.
extension Session {
    /// The parsed command when `frame` is one that can join a pipeline to the upstream: it is
    /// relayed exactly as the client sent it and changes nothing the session keeps.
    func pipelinable(_ frame: [UInt8]) -> TaggedCommand? {
        guard case .command = mode, streamed == nil, let upstream, upstream.isSelected, !upstream.idling,
              Self.mayPipeline(frame), let command = try? CommandParser.parse(frame) else { return nil }
        switch command.command {
        case .fetch, .store, .search, .noop, .check, .expunge, .uidExpunge:
            return upstream.connection.canPipeline(frame) ? command : nil
        default:
            return nil
        }
    }

    /// A look at the command word (after the tag and an optional UID) before a full parse,
    /// so that commands that cannot join a pipeline are parsed once, by `process`, not twice.
    static func mayPipeline(_ frame: [UInt8]) -> Bool {
        var words = String(decoding: frame.prefix(40), as: UTF8.self).uppercased()
            .split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).dropFirst()
        if words.first == "UID" { words = words.dropFirst() }
        guard let word = words.first?.prefix(while: \.isLetter) else { return false }
        return ["FETCH", "STORE", "SEARCH", "NOOP", "CHECK", "EXPUNGE"].contains(word)
    }

    /// Runs `first` with the pipelinable commands that follow it in what the client sent;
    /// returns the framing event that ended the pipeline, for the caller to handle next.
    func relayPipeline(startingWith first: TaggedCommand, _ frame: [UInt8]) async throws -> FramingEvent? {
        var commands = [(parsed: first, bytes: frame)]
        var ended: FramingEvent?
        while let next = framer.next() {
            if case .frame(let bytes) = next, let command = pipelinable(bytes) {
                commands.append((command, bytes))
            } else {
                ended = next
                break
            }
        }
        guard commands.count > 1, let upstream else {
            currentFrame = frame
            await execute(first)
            return ended
        }
        for command in commands {
            logger.debug("command", metadata: ["tag": "\(command.parsed.tag)", "command": "\(command.parsed.command.logName)", "pipelined": "true"])
        }
        do {
            try await upstream.relayPipelined(commands.map { ($0.parsed.tag, $0.bytes) })
            try await upstream.drain()
        } catch let error as IMAPClientError {
            upstreamLost(error)
        }
        return ended
    }
}
