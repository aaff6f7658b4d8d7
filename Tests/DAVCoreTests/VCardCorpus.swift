/// vCards in the styles of the exports crmgate meets, written for these tests (no real
/// person's data): Apple Contacts, Google Contacts and Outlook in vCard 3.0, and vCard 4.0
/// as RFC 6350 and CardDAV servers write it.
enum VCardCorpus {
    /// Apple Contacts (macOS/iOS): `item1.` groups with X-ABLabel, lowercase `type=`,
    /// `type=pref`, a base64 PHOTO with ENCODING=b, X-ABUID, folded lines.
    static let apple = """
        BEGIN:VCARD\r
        VERSION:3.0\r
        PRODID:-//Apple Inc.//macOS 14.5//EN\r
        N:Fischer;Ines;Maria;Dr.;\r
        FN:Dr. Ines Maria Fischer\r
        ORG:Globex Corporation;Purchasing\r
        TITLE:Head of Purchasing\r
        EMAIL;type=INTERNET;type=WORK;type=pref:ines.fischer@globex.example\r
        EMAIL;type=INTERNET;type=HOME:ines@fischer-home.example\r
        TEL;type=CELL;type=VOICE;type=pref:+49 170 1234567\r
        TEL;type=WORK;type=VOICE:+49 30 9876543\r
        item1.ADR;type=WORK;type=pref:;;Friedrichstraße 12;Berlin;;10117;Germany\r
        item1.X-ABADR:de\r
        item2.URL;type=pref:https://globex.example\r
        item2.X-ABLabel:_$!<HomePage>!$_\r
        NOTE:Met at the trade fair\\, hall 3.\\nPrefers calls before 10\\; email otherwise.\r
        PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwg\r
         JC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIy\r
        CATEGORIES:Customers,Berlin\r
        X-ABUID:8C2D1F6A-3B4E-4C5D-9E8F-0A1B2C3D4E5F:ABPerson\r
        UID:8C2D1F6A-3B4E-4C5D-9E8F-0A1B2C3D4E5F\r
        REV:2026-11-30T09:15:00Z\r
        END:VCARD\r

        """

    /// Google Contacts export: uppercase TYPE parameters repeated, X-ANDROID-CUSTOM style
    /// properties, a group with a label, no UID.
    static let google = """
        BEGIN:VCARD
        VERSION:3.0
        FN:Jörg Müller-Lüdenscheidt
        N:Müller-Lüdenscheidt;Jörg;;;
        EMAIL;TYPE=INTERNET;TYPE=WORK:joerg.mueller@initech.example
        TEL;TYPE=CELL:+41 79 555 01 02
        ADR;TYPE=HOME:;;Bahnhofstrasse 1;Zürich;;8001;Schweiz
        ORG:Initech AG
        TITLE:CTO\\, Co-Founder
        item1.X-ABLABEL:Assistant
        item1.X-ABRELATEDNAMES:Anna Keller
        BDAY:1980-04-01
        CATEGORIES:myContacts,Leads
        END:VCARD

        """

    /// Outlook (vCard 3.0 export): X-MS-* properties, bare 2.1-style TYPE parameters,
    /// a CHARSET parameter, LABEL with an escaped newline.
    static let outlook = """
        BEGIN:VCARD\r
        VERSION:3.0\r
        N;CHARSET=utf-8:Svensson;Åsa;;;\r
        FN;CHARSET=utf-8:Åsa Svensson\r
        ORG;CHARSET=utf-8:Umbrella Nordic AB\r
        TEL;WORK;VOICE:+46 8 123 456\r
        TEL;CELL;VOICE:+46 70 123 45 67\r
        LABEL;WORK;PREF;CHARSET=utf-8:Kungsgatan 5\\nStockholm 111 43\\nSverige\r
        EMAIL;PREF;INTERNET:asa.svensson@umbrella.example\r
        X-MS-OL-DEFAULT-POSTAL-ADDRESS:2\r
        X-MS-IMADDRESS:asa.svensson@umbrella.example\r
        X-MS-CARDPICTURE;TYPE=JPEG;ENCODING=BASE64:/9j/4AAQSkZJRgABAQEAYABgAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U\r
        REV:20261130T091500Z\r
        END:VCARD\r

        """

    /// vCard 4.0 as RFC 6350 and CardDAV servers write it: PREF, VALUE=uri TEL, a data: URI
    /// PHOTO, GEO, a quoted LABEL parameter with a caret-encoded newline, KIND, crmgate's id.
    static let v4 = """
        BEGIN:VCARD\r
        VERSION:4.0\r
        KIND:individual\r
        FN:Simon Perreault\r
        N:Perreault;Simon;;;ing. jr,M.Sc.\r
        GENDER:M\r
        LANG;PREF=1:fr\r
        LANG;PREF=2:en\r
        ORG;TYPE=work:Viagenie\r
        ADR;TYPE=work;LABEL="Simon Perreault^nSuite D2-630^n2875 Laurier^nQuebec, QC, Canada":;Suite D2-630;2875 Laurier;Quebec;QC;G1V 2M2;Canada\r
        TEL;VALUE=uri;TYPE="work,voice";PREF=1:tel:+1-418-656-9254;ext=102\r
        TEL;VALUE=uri;TYPE="work,cell,voice,video,text":tel:+1-418-262-6501\r
        EMAIL;TYPE=work:simon.perreault@viagenie.example\r
        GEO;TYPE=work:geo:46.772673,-71.282945\r
        PHOTO:data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk\r
        CATEGORIES:Embedded CRM\r
        X-CRMGATE-ID:contacts/42\r
        UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1\r
        REV:20261130T091500Z\r
        END:VCARD\r

        """

    static let all: [(style: String, text: String)] = [("Apple", apple), ("Google", google), ("Outlook", outlook), ("vCard 4.0", v4)]
}
