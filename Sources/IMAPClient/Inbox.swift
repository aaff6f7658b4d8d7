import NIOCore
import Synchronization

/// The bytes read from the server, waiting for their reader.
///
/// The connection's read task pushes; one reader pulls, either waiting (`next`) or not
/// (`poll`). When bytes arrive while nobody waits, `onArrival` runs once until the
/// reader next finds the inbox empty, so a session that is busy elsewhere (its client in
/// IDLE, say) learns that the server spoke. The pusher waits while more than
/// `highWater` bytes are unread, so a fast server never fills memory.
final class Inbox: Sendable {
    private struct State {
        var chunks: [ByteBuffer] = []
        var head = 0
        var bytes = 0
        var finished: IMAPClientError?
        var reader: CheckedContinuation<ByteBuffer?, any Error>?
        var pusher: CheckedContinuation<Void, Never>?
        var announced = false
        var onArrival: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())
    let highWater: Int

    init(highWater: Int = 1 << 20) { self.highWater = highWater }

    /// Runs `callback` when bytes arrive while nobody is waiting for them.
    func setOnArrival(_ callback: (@Sendable () -> Void)?) {
        let pending = state.withLock { s -> Bool in
            s.onArrival = callback
            s.announced = false
            return s.head < s.chunks.count || s.finished != nil
        }
        if pending, let callback {
            state.withLock { $0.announced = true }
            callback()
        }
    }

    func push(_ buffer: ByteBuffer) async {
        enum Step { case resume(CheckedContinuation<ByteBuffer?, any Error>), announce(@Sendable () -> Void), none }
        let (step, mustWait) = state.withLock { s -> (Step, Bool) in
            if let reader = s.reader {
                s.reader = nil
                return (.resume(reader), false)
            }
            s.chunks.append(buffer)
            s.bytes += buffer.readableBytes
            var step = Step.none
            if !s.announced, let callback = s.onArrival {
                s.announced = true
                step = .announce(callback)
            }
            return (step, s.bytes > highWater)
        }
        switch step {
        case .resume(let reader): reader.resume(returning: buffer)
        case .announce(let callback): callback()
        case .none: break
        }
        if mustWait {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.bytes <= highWater || s.finished != nil { return true }
                    s.pusher = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// The connection ended; readers get the rest, then `error`.
    func finish(_ error: IMAPClientError) {
        let (reader, pusher, callback) = state.withLock { s in
            if s.finished == nil { s.finished = error }
            let reader = s.reader
            s.reader = nil
            let pusher = s.pusher
            s.pusher = nil
            var callback: (@Sendable () -> Void)?
            if reader == nil, !s.announced { s.announced = true; callback = s.onArrival }
            return (reader, pusher, callback)
        }
        reader?.resume(throwing: error)
        pusher?.resume()
        callback?()
    }

    /// The next bytes, waiting for them; throws once the connection has ended.
    func next() async throws -> ByteBuffer {
        if let buffer = try poll() { return buffer }
        let buffer = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ByteBuffer?, any Error>) in
            let immediate = state.withLock { s -> Result<ByteBuffer?, any Error>? in
                if let buffer = Self.take(&s) { return .success(buffer) }
                if let error = s.finished { return .failure(error) }
                s.reader = continuation
                return nil
            }
            if let immediate { continuation.resume(with: immediate) }
        }
        guard let buffer else { throw IMAPClientError.closed("the connection ended") }
        return buffer
    }

    /// Bytes already here, or nil; throws once everything is read and the connection has ended.
    func poll() throws(IMAPClientError) -> ByteBuffer? {
        let (result, pusher) = state.withLock { s -> (Result<ByteBuffer?, IMAPClientError>, CheckedContinuation<Void, Never>?) in
            if let buffer = Self.take(&s) {
                var pusher: CheckedContinuation<Void, Never>?
                if s.bytes <= highWater { pusher = s.pusher; s.pusher = nil }
                return (.success(buffer), pusher)
            }
            s.announced = false
            if let error = s.finished { return (.failure(error), nil) }
            return (.success(nil), nil)
        }
        pusher?.resume()
        return try result.get()
    }

    private static func take(_ s: inout State) -> ByteBuffer? {
        guard s.head < s.chunks.count else { return nil }
        let buffer = s.chunks[s.head]
        s.head += 1
        s.bytes -= buffer.readableBytes
        if s.head == s.chunks.count { s.chunks.removeAll(keepingCapacity: true); s.head = 0 }
        return buffer
    }
}
