/// iCalendar files in the styles of the big producers, written for the tests (not copied
/// from anywhere): what each writes around the events and tasks crmgate syncs. Shared by
/// the codec's tests and the calendar bridge's.
public enum ICalendarCorpus {
    /// Google Calendar's export: a VTIMEZONE with yearly rules, a weekly series with an
    /// EXDATE and one moved occurrence (RECURRENCE-ID), an alarm, an all-day event.
    public static let google = """
        BEGIN:VCALENDAR\r
        PRODID:-//Google Inc//Google Calendar 70.9054//EN\r
        VERSION:2.0\r
        CALSCALE:GREGORIAN\r
        METHOD:PUBLISH\r
        X-WR-CALNAME:Work\r
        X-WR-TIMEZONE:Europe/Berlin\r
        BEGIN:VTIMEZONE\r
        TZID:Europe/Berlin\r
        X-LIC-LOCATION:Europe/Berlin\r
        BEGIN:DAYLIGHT\r
        TZOFFSETFROM:+0100\r
        TZOFFSETTO:+0200\r
        TZNAME:CEST\r
        DTSTART:19700329T020000\r
        RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
        END:DAYLIGHT\r
        BEGIN:STANDARD\r
        TZOFFSETFROM:+0200\r
        TZOFFSETTO:+0100\r
        TZNAME:CET\r
        DTSTART:19701025T030000\r
        RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
        END:STANDARD\r
        END:VTIMEZONE\r
        BEGIN:VEVENT\r
        DTSTART;TZID=Europe/Berlin:20261207T090000\r
        DTEND;TZID=Europe/Berlin:20261207T100000\r
        RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10\r
        EXDATE;TZID=Europe/Berlin:20261221T090000\r
        DTSTAMP:20261201T120000Z\r
        UID:7kukuqrfedlm2f9t2vr42q2vil@google.com\r
        CREATED:20261201T115900Z\r
        DESCRIPTION:Weekly sync\\, agenda:\\n1. numbers\\; 2. plans\r
        LAST-MODIFIED:20261201T120000Z\r
        LOCATION:Room 4\\, Building B\r
        SEQUENCE:0\r
        STATUS:CONFIRMED\r
        SUMMARY:Pipeline review\r
        TRANSP:OPAQUE\r
        BEGIN:VALARM\r
        ACTION:DISPLAY\r
        DESCRIPTION:This is an event reminder\r
        TRIGGER:-P0DT0H10M0S\r
        END:VALARM\r
        END:VEVENT\r
        BEGIN:VEVENT\r
        DTSTART;TZID=Europe/Berlin:20261228T110000\r
        DTEND;TZID=Europe/Berlin:20261228T120000\r
        DTSTAMP:20261201T120000Z\r
        UID:7kukuqrfedlm2f9t2vr42q2vil@google.com\r
        RECURRENCE-ID;TZID=Europe/Berlin:20261228T090000\r
        SEQUENCE:1\r
        SUMMARY:Pipeline review (moved)\r
        END:VEVENT\r
        BEGIN:VEVENT\r
        DTSTART;VALUE=DATE:20261224\r
        DTEND;VALUE=DATE:20261227\r
        DTSTAMP:20261201T120000Z\r
        UID:office-closed-2026@google.com\r
        SUMMARY:Office closed\r
        TRANSP:TRANSPARENT\r
        END:VEVENT\r
        END:VCALENDAR\r

        """

    /// Apple Calendar/Reminders (iCloud): America/New_York, X-APPLE properties, a task
    /// done (STATUS, COMPLETED, PERCENT-COMPLETE) and one open with a DUE date.
    public static let apple = """
        BEGIN:VCALENDAR\r
        VERSION:2.0\r
        PRODID:-//Apple Inc.//macOS 15.1//EN\r
        CALSCALE:GREGORIAN\r
        BEGIN:VTIMEZONE\r
        TZID:America/New_York\r
        BEGIN:DAYLIGHT\r
        TZOFFSETFROM:-0500\r
        RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r
        DTSTART:20070311T020000\r
        TZNAME:EDT\r
        TZOFFSETTO:-0400\r
        END:DAYLIGHT\r
        BEGIN:STANDARD\r
        TZOFFSETFROM:-0400\r
        RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r
        DTSTART:20071104T020000\r
        TZNAME:EST\r
        TZOFFSETTO:-0500\r
        END:STANDARD\r
        END:VTIMEZONE\r
        BEGIN:VEVENT\r
        CREATED:20261130T150102Z\r
        UID:3F2504E0-4F89-41D3-9A0C-0305E82C3301\r
        DTEND;TZID=America/New_York:20270314T113000\r
        TRANSP:OPAQUE\r
        X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC\r
        SUMMARY:Lunch with Zoë — Ångström & Co.\r
        LAST-MODIFIED:20261130T150230Z\r
        DTSTAMP:20261130T150230Z\r
        DTSTART;TZID=America/New_York:20270314T103000\r
        LOCATION:Café Sabarsky\\, 1048 5th Ave\\nNew York\r
        SEQUENCE:1\r
        CATEGORIES:Embedded CRM\r
        X-APPLE-STRUCTURED-LOCATION;VALUE=URI;X-ADDRESS=1048 5th Ave;X-TITLE=Café Sabarsky:geo:40.781,-73.960\r
        END:VEVENT\r
        BEGIN:VTODO\r
        CREATED:20261128T090000Z\r
        UID:A1B2C3D4-0000-4000-8000-00000000TODO\r
        SUMMARY:Send the quote\\, revised\r
        DUE;VALUE=DATE:20261210\r
        STATUS:COMPLETED\r
        COMPLETED:20261205T164500Z\r
        PERCENT-COMPLETE:100\r
        X-APPLE-SORT-ORDER:702320000\r
        DTSTAMP:20261205T164500Z\r
        END:VTODO\r
        BEGIN:VTODO\r
        UID:A1B2C3D4-0000-4000-8000-00000000TOD2\r
        SUMMARY:Call back Initech\r
        DUE;TZID=America/New_York:20261211T170000\r
        STATUS:NEEDS-ACTION\r
        PRIORITY:1\r
        DTSTAMP:20261205T164500Z\r
        END:VTODO\r
        END:VCALENDAR\r

        """

    /// Outlook/Exchange: a Windows zone name as TZID, another zone known only by its own
    /// VTIMEZONE (Outlook's display-name style), organizer and attendees, a private event,
    /// X-MICROSOFT properties.
    public static let outlook = """
        BEGIN:VCALENDAR\r
        METHOD:REQUEST\r
        PRODID:Microsoft Exchange Server 2010\r
        VERSION:2.0\r
        BEGIN:VTIMEZONE\r
        TZID:W. Europe Standard Time\r
        BEGIN:STANDARD\r
        DTSTART:16010101T030000\r
        TZOFFSETFROM:+0200\r
        TZOFFSETTO:+0100\r
        RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r
        END:STANDARD\r
        BEGIN:DAYLIGHT\r
        DTSTART:16010101T020000\r
        TZOFFSETFROM:+0100\r
        TZOFFSETTO:+0200\r
        RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r
        END:DAYLIGHT\r
        END:VTIMEZONE\r
        BEGIN:VTIMEZONE\r
        TZID:(UTC+01:00) Amsterdam\\, Berlin\\, Bern\\, Rome\\, Stockholm\\, Vienna\r
        BEGIN:STANDARD\r
        DTSTART:16010101T030000\r
        TZOFFSETFROM:+0200\r
        TZOFFSETTO:+0100\r
        RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r
        END:STANDARD\r
        BEGIN:DAYLIGHT\r
        DTSTART:16010101T020000\r
        TZOFFSETFROM:+0100\r
        TZOFFSETTO:+0200\r
        RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r
        END:DAYLIGHT\r
        END:VTIMEZONE\r
        BEGIN:VEVENT\r
        ORGANIZER;CN=Alice Martin:mailto:alice@example.com\r
        ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Peter Gibbons:mailto:peter@initech.example\r
        ATTENDEE;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN="Lumbergh, Bill":mailto:bill@initech.example\r
        DESCRIPTION;LANGUAGE=en-US:Quarterly review of the TPS reports.\\n\\nBring the cover sheets.\r
        UID:040000008200E00074C5B7101A82E00800000000F0D4A5E1C3F5DA0100000000000000001000000062A1B3\r
        SUMMARY;LANGUAGE=en-US:TPS review\r
        DTSTART;TZID=W. Europe Standard Time:20261207T090000\r
        DTEND;TZID=W. Europe Standard Time:20261207T100000\r
        CLASS:PRIVATE\r
        PRIORITY:5\r
        DTSTAMP:20261201T101500Z\r
        TRANSP:OPAQUE\r
        STATUS:CONFIRMED\r
        SEQUENCE:0\r
        LOCATION;LANGUAGE=en-US:Conference room 2\r
        X-MICROSOFT-CDO-APPT-SEQUENCE:0\r
        X-MICROSOFT-CDO-BUSYSTATUS:BUSY\r
        X-MICROSOFT-CDO-IMPORTANCE:1\r
        X-MICROSOFT-DISALLOW-COUNTER:FALSE\r
        BEGIN:VALARM\r
        DESCRIPTION:REMINDER\r
        TRIGGER;RELATED=START:-PT15M\r
        ACTION:DISPLAY\r
        END:VALARM\r
        END:VEVENT\r
        BEGIN:VEVENT\r
        UID:outlook-summer-1\r
        SUMMARY:Summer planning\r
        DTSTART;TZID="(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna":20270705T140000\r
        DTEND;TZID="(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna":20270705T150000\r
        DTSTAMP:20261201T101500Z\r
        END:VEVENT\r
        END:VCALENDAR\r

        """

    public static let all = [("google", google), ("apple", apple), ("outlook", outlook)]
}
