/// Header bytes in JSON: a string when they are valid UTF-8 (the usual case, readable and
/// compact), an array of numbers otherwise, so 8-bit legacy headers survive the round trip.
extension KeyedEncodingContainer {
    mutating func encodeBytes(_ bytes: [UInt8]?, forKey key: Key) throws {
        guard let bytes else { return }
        if let string = String(validating: bytes, as: UTF8.self) {
            try encode(string, forKey: key)
        } else {
            try encode(bytes, forKey: key)
        }
    }
}

extension KeyedDecodingContainer {
    func decodeBytes(forKey key: Key) throws -> [UInt8]? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        if let string = try? decode(String.self, forKey: key) { return Array(string.utf8) }
        return try decode([UInt8].self, forKey: key)
    }
}
