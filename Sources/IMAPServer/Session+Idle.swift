import IMAPCore

extension Session {
    /// IDLE (RFC 2177): changes of the selected mailbox are pushed as they commit,
    /// until the client sends DONE.
    func startIdle(tag: String) async throws {
        try await synchronizeSelected(expungesAllowed: true)
        mode = .idle(tag: tag)
        send(.continuationRequest(Array("idling".utf8)))
    }

    func finishIdle(tag: String, line: [UInt8]) async throws {
        mode = .command
        var text = line
        while let last = text.last, last == 0x0A || last == 0x0D { text.removeLast() }
        let done = String(decoding: text, as: UTF8.self).uppercased() == "DONE"
        if let upstream, upstream.idling {
            try await finishUpstreamIdle(tag: tag, done: done, upstream)
            return
        }
        guard done else {
            reply(tag, CommandFailure(status: .bad, text: "Expected DONE to end IDLE"))
            return
        }
        try await ok(tag, "IDLE terminated")
    }
}
