/// An iCalendar component (RFC 5545 §3.4, §3.6): VCALENDAR, VEVENT, VTODO, VTIMEZONE with
/// its STANDARD and DAYLIGHT, VALARM, or any other (X- and IANA components included): its
/// properties in order, then its subcomponents in order. Everything is kept as it came —
/// values escaped, unknown properties and components, RRULE, EXDATE, RDATE, RECURRENCE-ID —
/// so a calendar written back says what it said, plus what crmgate changed.
public struct ICalComponent: Hashable, Sendable, PropertyList {
    /// Uppercased: `VEVENT`.
    public var name: String
    public var properties: [ContentLine]
    public var components: [ICalComponent]

    public init(_ name: String, properties: [ContentLine] = [], components: [ICalComponent] = []) {
        self.name = name.uppercased()
        self.properties = properties
        self.components = components
    }

    /// The subcomponents called `name`.
    public func components(_ name: String) -> [ICalComponent] {
        let wanted = name.uppercased()
        return components.filter { $0.name == wanted }
    }

    // MARK: - Event and task fields

    public var uid: String? { text("UID") }
    public var summary: String? { text("SUMMARY") }

    /// DTSTART, DTEND, DUE, RECURRENCE-ID, COMPLETED … as a date or date-time.
    public func dateTime(_ name: String) throws(ContentLineError) -> ICalDateTime? {
        try first(name).map { line throws(ContentLineError) in try ICalDateTime(line) }
    }

    /// Sets a date or date-time property, with TZID or VALUE=DATE as the value needs.
    public mutating func setDateTime(_ name: String, _ value: ICalDateTime?) {
        guard let value else { return replace(name, with: []) }
        var line = first(name) ?? ContentLine(name: name, value: "")
        line.parameters.removeAll { $0.name == "TZID" || $0.name == "VALUE" }
        line.parameters += value.parameters
        line.value = value.text
        replace(name, with: [line])
    }
}

/// An iCalendar object (a `.ics` file or a CalDAV resource): one VCALENDAR.
public struct ICalendar: Hashable, Sendable {
    public var root: ICalComponent

    public init(_ root: ICalComponent = ICalComponent("VCALENDAR", properties: [
        ContentLine(name: "VERSION", value: "2.0"), ContentLine(name: "PRODID", value: "-//crmgate//CRM calendar bridge//EN"),
    ])) {
        self.root = root
    }

    public var events: [ICalComponent] { root.components("VEVENT") }
    public var todos: [ICalComponent] { root.components("VTODO") }
    public var timeZones: [ICalComponent] { root.components("VTIMEZONE") }

    /// The calendar as text: CRLF line ends, lines folded at 75 octets.
    public var text: String {
        var text = ""
        func write(_ component: ICalComponent) {
            text += "BEGIN:\(component.name)\r\n"
            for property in component.properties { text += Folding.fold(property.unfolded) }
            for child in component.components { write(child) }
            text += "END:\(component.name)\r\n"
        }
        write(root)
        return text
    }
}

/// Bounds on what a calendar may hold, so a hostile or broken one cannot take the memory.
public struct ICalendarLimits: Hashable, Sendable {
    public var maxBytes: Int
    /// Properties and components together.
    public var maxEntries: Int
    public var maxDepth: Int

    public init(maxBytes: Int = 16 << 20, maxEntries: Int = 200_000, maxDepth: Int = 8) {
        self.maxBytes = maxBytes
        self.maxEntries = maxEntries
        self.maxDepth = maxDepth
    }
}

// MARK: - Parsing

extension ICalendar {
    /// Parses one iCalendar object: exactly one VCALENDAR, components nested and closed in
    /// order; errors name the line.
    // icalstream = 1*icalobject ; icalobject = "BEGIN:VCALENDAR" CRLF icalbody "END:VCALENDAR" CRLF
    public static func parse(_ text: String, limits: ICalendarLimits = ICalendarLimits()) throws(ContentLineError) -> ICalendar {
        guard text.utf8.count <= limits.maxBytes else {
            throw ContentLineError(line: 1, "the calendar is \(text.utf8.count) bytes, more than the limit of \(limits.maxBytes)")
        }
        var stack: [(component: ICalComponent, line: Int)] = []
        var root: ICalComponent?
        var entries = 0
        for (number, text) in Folding.unfold(text) {
            let line = try ContentLine.parse(text, line: number)
            entries += 1
            guard entries <= limits.maxEntries else {
                throw ContentLineError(line: number, "the calendar has more than \(limits.maxEntries) lines")
            }
            switch line.name {
            case "BEGIN":
                let name = line.value.uppercased()
                guard !name.isEmpty else { throw ContentLineError(line: number, "BEGIN names no component") }
                if stack.isEmpty {
                    guard root == nil else { throw ContentLineError(line: number, "a second calendar follows the first; one was expected") }
                    guard name == "VCALENDAR" else { throw ContentLineError(line: number, "\(name) outside a calendar (no BEGIN:VCALENDAR before it)") }
                }
                guard stack.count < limits.maxDepth else {
                    throw ContentLineError(line: number, "components are nested deeper than \(limits.maxDepth)")
                }
                stack.append((ICalComponent(name), number))
            case "END":
                let name = line.value.uppercased()
                guard let open = stack.popLast() else { throw ContentLineError(line: number, "END:\(name) without its BEGIN") }
                guard open.component.name == name else {
                    throw ContentLineError(line: number, "END:\(name) where END:\(open.component.name) (begun on line \(open.line)) was expected")
                }
                if stack.isEmpty {
                    root = open.component
                } else {
                    stack[stack.count - 1].component.components.append(open.component)
                }
            default:
                guard !stack.isEmpty else {
                    throw ContentLineError(line: number, "\(line.name) outside a calendar (no BEGIN:VCALENDAR before it)")
                }
                stack[stack.count - 1].component.properties.append(line)
            }
        }
        if let open = stack.last {
            throw ContentLineError(line: open.line, "the \(open.component.name) that begins here has no END:\(open.component.name)")
        }
        guard let root else { throw ContentLineError(line: 1, "no calendar (BEGIN:VCALENDAR) in the text") }
        return ICalendar(root)
    }
}
