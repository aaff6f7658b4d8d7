/// What went wrong talking to a CardDAV or CalDAV server, in words an administrator can act on.
public enum DAVError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The server could not be reached or the connection failed.
    case unreachable(String)
    /// 401: the server refused the account's credentials.
    case unauthorized(url: String)
    /// 412: the item changed (or exists) since it was read; read it again, never overwrite.
    case preconditionFailed(url: String)
    /// The server refused the sync token (403, 412 or 500 seen in the wild): list in full.
    case syncTokenRefused(status: Int)
    /// Any other status the request cannot go on with.
    case status(Int, method: String, url: String, detail: String)
    /// The answer was not what the protocol says.
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .unreachable(let reason): "the DAV server cannot be reached: \(reason)"
        case .unauthorized(let url): "the DAV server refused the account's user name or password (\(url)); check [dav] username and password_file"
        case .preconditionFailed(let url): "\(url) changed on the DAV server since it was read"
        case .syncTokenRefused(let status): "the DAV server refused the sync token (HTTP \(status)); a full listing follows"
        case .status(let code, let method, let url, let detail): "\(method) \(url) failed with HTTP \(code)\(detail.isEmpty ? "" : ": \(detail)")"
        case .protocolViolation(let reason): "the DAV server's answer is not valid: \(reason)"
        }
    }
}

extension DAVError {
    /// 412: the item is not as the request assumed (it changed, or a create met one).
    public var isPreconditionFailed: Bool {
        if case .preconditionFailed = self { true } else { false }
    }
}
