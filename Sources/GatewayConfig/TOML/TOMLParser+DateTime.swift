// RFC 3339 dates and times as TOML 1.0 allows them, checked but kept as text.
extension TOMLParser {
    // offset-date-time = full-date time-delim full-time
    // local-date-time = full-date time-delim partial-time
    // local-date = full-date
    // local-time = partial-time
    // time-delim = "T" / %x20 ; T, t, or space
    func parseDateTime(_ token: ArraySlice<UInt8>) throws(TOMLError) -> TOMLDateTime {
        let text = String(decoding: token, as: UTF8.self)
        var scanner = DateTimeScanner(bytes: token)
        let kind: TOMLDateTime.Kind
        do throws(DateTimeScanner.Failure) {
            if Self.looksLikeDate(token) {
                try scanner.fullDate()
                if scanner.atEnd {
                    kind = .localDate
                } else {
                    try scanner.timeDelimiter()
                    try scanner.partialTime()
                    if scanner.atEnd {
                        kind = .localDateTime
                    } else {
                        try scanner.timeOffset()
                        kind = .offsetDateTime
                    }
                }
            } else {
                try scanner.partialTime()
                kind = .localTime
            }
            guard scanner.atEnd else { throw DateTimeScanner.Failure(offset: scanner.position, reason: "unexpected characters") }
        } catch {
            throw self.error("invalid date-time \(text): \(error.reason)", at: error.offset)
        }
        return TOMLDateTime(kind: kind, text: text)
    }
}

/// Walks one date-time token field by field.
private struct DateTimeScanner {
    struct Failure: Error {
        var offset: Int
        var reason: String
    }

    let bytes: ArraySlice<UInt8>
    var position: Int

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    var atEnd: Bool { position == bytes.endIndex }

    // full-date = date-fullyear "-" date-month "-" date-mday
    mutating func fullDate() throws(Failure) {
        let year = try number(digits: 4, field: "year")
        try literal("-")
        let month = try number(digits: 2, field: "month", in: 1...12)
        try literal("-")
        let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, isLeap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        _ = try number(digits: 2, field: "day", in: 1...days)
    }

    mutating func timeDelimiter() throws(Failure) {
        guard !atEnd, [UInt8(ascii: "T"), UInt8(ascii: "t"), .space].contains(bytes[position]) else {
            throw Failure(offset: position, reason: "expected 'T' or a space between the date and the time")
        }
        position += 1
    }

    // partial-time = time-hour ":" time-minute ":" time-second [ time-secfrac ]
    mutating func partialTime() throws(Failure) {
        _ = try number(digits: 2, field: "hour", in: 0...23)
        try literal(":")
        _ = try number(digits: 2, field: "minute", in: 0...59)
        try literal(":")
        _ = try number(digits: 2, field: "second", in: 0...60)
        if !atEnd, bytes[position] == .dot {
            position += 1
            let digitsStart = position
            while !atEnd, TOMLParser.isDigit(bytes[position]) { position += 1 }
            guard position > digitsStart else {
                throw Failure(offset: position, reason: "expected digits after the decimal point of the seconds")
            }
        }
    }

    // time-offset = "Z" / time-numoffset ; time-numoffset = ( "+" / "-" ) time-hour ":" time-minute
    mutating func timeOffset() throws(Failure) {
        let byte = bytes[position]
        if byte == UInt8(ascii: "Z") || byte == UInt8(ascii: "z") {
            position += 1
            return
        }
        guard byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") else {
            throw Failure(offset: position, reason: "expected 'Z' or an offset such as +02:00")
        }
        position += 1
        _ = try number(digits: 2, field: "offset hour", in: 0...23)
        try literal(":")
        _ = try number(digits: 2, field: "offset minute", in: 0...59)
    }

    private mutating func literal(_ character: Unicode.Scalar) throws(Failure) {
        guard !atEnd, bytes[position] == UInt8(ascii: character) else {
            throw Failure(offset: position, reason: "expected '\(character)'")
        }
        position += 1
    }

    private mutating func number(digits: Int, field: String, in range: ClosedRange<Int>? = nil) throws(Failure) -> Int {
        let start = position
        var value = 0
        for _ in 0..<digits {
            guard !atEnd, TOMLParser.isDigit(bytes[position]) else {
                throw Failure(offset: position, reason: "the \(field) needs \(digits) digits")
            }
            value = value * 10 + Int(bytes[position] - UInt8(ascii: "0"))
            position += 1
        }
        if let range, !range.contains(value) {
            throw Failure(offset: start, reason: "the \(field) must be from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}
