import NIOCore
import NIOPosix
import Synchronization

/// A scripted IMAP server on loopback for the client's paths that real servers do not take
/// on demand (no LITERAL+, LOGIN disabled): it sends the greeting, then answers each line
/// the client sends with the reply the script gives for it, and records what it received.
final class ScriptedServer: Sendable {
    let port: Int
    private let channel: any Channel
    private let received = ReceivedLines()

    /// `reply` gets each complete line (without CRLF) and returns what to send back.
    init(greeting: String, reply: @escaping @Sendable (String) -> String) async throws {
        let log = received
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(ScriptHandler(greeting: greeting, reply: reply, log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    var lines: [String] { received.lines.withLock { $0 } }

    func close() async throws { try await channel.close() }
}

/// What the server received, shared by the server and its connections' handlers.
final class ReceivedLines: Sendable {
    let lines = Mutex<[String]>([])
}

private final class ScriptHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let greeting: String
    let reply: @Sendable (String) -> String
    let log: ReceivedLines
    private let pending = Mutex<[UInt8]>([])

    init(greeting: String, reply: @escaping @Sendable (String) -> String, log: ReceivedLines) {
        self.greeting = greeting; self.reply = reply; self.log = log
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: greeting)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let lines = pending.withLock { bytes -> [String] in
            bytes.append(contentsOf: buffer.readableBytesView)
            var lines: [String] = []
            while let lf = bytes.firstIndex(of: 0x0A) {
                lines.append(String(decoding: bytes[..<lf], as: UTF8.self).trimmingCharacters(in: ["\r"]))
                bytes.removeSubrange(...lf)
            }
            return lines
        }
        for line in lines {
            log.lines.withLock { $0.append(line) }
            let answer = reply(line)
            if !answer.isEmpty { context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer)), promise: nil) }
        }
    }
}
