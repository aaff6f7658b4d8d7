import Testing
@testable import DAVCore

/// Multistatus bodies in the styles of the servers crmgate meets, written for these tests.
enum MultistatusSamples {
    /// Radicale: DAV: as the default namespace, CardDAV under its own prefix.
    static let radicalePropfind = """
        <?xml version='1.0' encoding='utf-8'?>
        <multistatus xmlns="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">
          <response>
            <href>/alice%40example.com/contacts/</href>
            <propstat>
              <prop>
                <resourcetype><CR:addressbook /><collection /></resourcetype>
                <displayname>Embedded CRM</displayname>
                <sync-token>http://radicale.org/ns/sync/1f2e3d</sync-token>
              </prop>
              <status>HTTP/1.1 200 OK</status>
            </propstat>
          </response>
          <response>
            <href>/alice%40example.com/contacts/ines%20fischer.vcf</href>
            <propstat>
              <prop><getetag>"a1b2c3"</getetag><resourcetype /></prop>
              <status>HTTP/1.1 200 OK</status>
            </propstat>
            <propstat>
              <prop><displayname /></prop>
              <status>HTTP/1.1 404 Not Found</status>
            </propstat>
          </response>
        </multistatus>
        """

    /// Xandikos: ns0/ns1 prefixes; a sync-collection answer with a deleted member.
    static let xandikosSync = """
        <?xml version="1.0" encoding="utf-8"?>
        <ns0:multistatus xmlns:ns0="DAV:"><ns0:response><ns0:href>/user/contacts/addressbook/new.vcf</ns0:href><ns0:propstat><ns0:status>HTTP/1.1 200 OK</ns0:status><ns0:prop><ns0:getetag>"e2"</ns0:getetag></ns0:prop></ns0:propstat></ns0:response><ns0:response><ns0:href>/user/contacts/addressbook/gone.vcf</ns0:href><ns0:status>HTTP/1.1 404 Not Found</ns0:status></ns0:response><ns0:sync-token>http://xandikos.org/ns/sync/8</ns0:sync-token></ns0:multistatus>
        """

    /// Nextcloud (sabre/dav): d: and card: prefixes; an addressbook-multiget with a vCard in
    /// CDATA and one with escaped carriage returns.
    static let nextcloudMultiget = """
        <?xml version="1.0"?>
        <d:multistatus xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:oc="http://owncloud.org/ns">
         <d:response>
          <d:href>/remote.php/dav/addressbooks/users/alice/crm/1.vcf</d:href>
          <d:propstat>
           <d:prop>
            <d:getetag>&quot;9f8e&quot;</d:getetag>
            <card:address-data><![CDATA[BEGIN:VCARD\r
        VERSION:3.0\r
        FN:Ines Fischer\r
        NOTE:Smith\\, Jones & Partners\r
        END:VCARD\r
        ]]></card:address-data>
           </d:prop>
           <d:status>HTTP/1.1 200 OK</d:status>
          </d:propstat>
         </d:response>
         <d:response>
          <d:href>/remote.php/dav/addressbooks/users/alice/crm/2.vcf</d:href>
          <d:propstat>
           <d:prop>
            <d:getetag>"7a6b"</d:getetag>
            <card:address-data>BEGIN:VCARD&#13;
        VERSION:4.0&#13;
        FN:Jörg &lt;Müller&gt;&#13;
        END:VCARD&#13;
        </card:address-data>
           </d:prop>
           <d:status>HTTP/1.1 200 OK</d:status>
          </d:propstat>
         </d:response>
        </d:multistatus>
        """
}

@Suite("WebDAV XML: multistatus answers")
struct MultistatusTests {
    @Test func radicaleDefaultNamespaceAndPerStatusProperties() throws {
        let answer = try Multistatus.parse(Array(MultistatusSamples.radicalePropfind.utf8))
        #expect(answer.responses.count == 2)
        let book = answer.responses[0]
        #expect(book.href == "/alice%40example.com/contacts/")
        #expect(book.resourceTypes == [.cardDAV("addressbook"), .dav("collection")])
        #expect(book.displayName == "Embedded CRM")
        let card = answer.responses[1]
        #expect(card.etag == "\"a1b2c3\"" && card.resourceTypes.isEmpty)
        #expect(card.displayName == nil)  // only in the 404 propstat
        #expect(card.propstats.map(\.status) == [200, 404])
    }

    @Test func xandikosPrefixesDeletedMembersAndTheNewToken() throws {
        let answer = try Multistatus.parse(Array(MultistatusSamples.xandikosSync.utf8))
        #expect(answer.syncToken == "http://xandikos.org/ns/sync/8")
        #expect(answer.responses.map(\.isGone) == [false, true])
        #expect(answer.responses[0].etag == "\"e2\"")
        #expect(answer.responses[1].href == "/user/contacts/addressbook/gone.vcf")
    }

    @Test func multigetCarriesVCardsInCDATAOrEscapedText() throws {
        let answer = try Multistatus.parse(Array(MultistatusSamples.nextcloudMultiget.utf8))
        #expect(answer.responses.map(\.etag) == ["\"9f8e\"", "\"7a6b\""])
        let first = try VCard.parse(try #require(answer.responses[0].addressData))
        #expect(first.formattedName == "Ines Fischer" && first.note == "Smith, Jones & Partners")
        let second = try VCard.parse(try #require(answer.responses[1].addressData))
        #expect(second.formattedName == "Jörg <Müller>" && second.version == .v4)
    }

    @Test(arguments: [
        ("<d:multistatus xmlns:d=\"DAV:\"><d:response>", "not well-formed"),
        ("<d:prop xmlns:d=\"DAV:\"/>", "expected a DAV:multistatus body, got {DAV:}prop"),
        ("<d:multistatus xmlns:d=\"DAV:\"><d:response><d:status>HTTP/1.1 200 OK</d:status></d:response></d:multistatus>", "a DAV:response without DAV:href"),
        ("<d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/a</d:href><d:status>fine</d:status></d:response></d:multistatus>", "\"fine\" is not an HTTP status line"),
        ("<d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/a</d:href><d:propstat><d:prop/></d:propstat></d:response></d:multistatus>", "the DAV:propstat of /a has no DAV:status"),
        ("", "not well-formed"),
    ])
    func malformedAnswersGetAClearError(body: String, message: String) {
        #expect {
            _ = try Multistatus.parse(Array(body.utf8))
        } throws: { error in
            (error as? DAVXMLError)?.message.contains(message) == true
        }
    }

    @Test func limitsBoundDepthSizeAndElements() {
        let deep = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        #expect(throws: DAVXMLError("the XML body nests deeper than 64 elements")) { try DAVElement.parse(Array(deep.utf8)) }
        #expect(throws: DAVXMLError.self) { try DAVElement.parse(Array(deep.utf8), limits: DAVXMLLimits(maxBytes: 10)) }
        let wide = "<a>" + String(repeating: "<b/>", count: 50) + "</a>"
        #expect(throws: DAVXMLError("the XML body has more than 20 elements")) {
            try DAVElement.parse(Array(wide.utf8), limits: DAVXMLLimits(maxElements: 20))
        }
    }

    @Test func externalEntitiesAreNeverLoaded() {
        let hostile = """
            <?xml version="1.0"?>
            <!DOCTYPE d:multistatus [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
            <d:multistatus xmlns:d="DAV:"><d:response><d:href>&secret;</d:href><d:status>HTTP/1.1 200 OK</d:status></d:response></d:multistatus>
            """
        let href = (try? Multistatus.parse(Array(hostile.utf8)))?.responses.first?.href ?? ""
        #expect(!href.contains("root:"))
    }
}

@Suite("WebDAV XML: request bodies")
struct DAVRequestBodyTests {
    @Test func syncCollectionAsksForMembersWithoutALimit() throws {
        let body = DAVRequestBody.syncCollection(token: "http://radicale.org/ns/sync/1&2", properties: [.dav("getetag")])
        let root = try DAVElement.parse(body)
        #expect(root.name == .dav("sync-collection"))
        #expect(root.child(.dav("sync-token"))?.text == "http://radicale.org/ns/sync/1&2")
        #expect(root.child(.dav("sync-level"))?.text == "1")
        #expect(root.child(.dav("limit")) == nil)
        #expect(root.child(.dav("prop"))?.children.map(\.name) == [.dav("getetag")])
        let first = try DAVElement.parse(DAVRequestBody.syncCollection(token: nil, properties: []))
        #expect(first.child(.dav("sync-token"))?.text == "")
    }

    @Test func multigetNamesEveryMemberAndAsksForCardsAndETags() throws {
        let root = try DAVElement.parse(DAVRequestBody.addressbookMultiget(["/a/1.vcf", "/a/ines&jörg.vcf"]))
        #expect(root.name == .cardDAV("addressbook-multiget"))
        #expect(root.hrefs == ["/a/1.vcf", "/a/ines&jörg.vcf"])
        #expect(root.child(.dav("prop"))?.children.map(\.name) == [.dav("getetag"), .cardDAV("address-data")])
    }

    @Test func extendedMkcolMakesANamedAddressBook() throws {
        let root = try DAVElement.parse(DAVRequestBody.makeAddressbook(displayName: "Sales <CRM> & \"Friends\""))
        let properties = try #require(root.child(.dav("set"))?.child(.dav("prop")))
        #expect(properties.child(.dav("displayname"))?.text == "Sales <CRM> & \"Friends\"")
        #expect(properties.child(.dav("resourcetype"))?.children.map(\.name) == [.dav("collection"), .cardDAV("addressbook")])
    }

    @Test func propfindDeclaresWhateverNamespaceItAsksFor() throws {
        let root = try DAVElement.parse(DAVRequestBody.propfind([.dav("current-user-principal"), .cardDAV("addressbook-home-set"),
                                                                 .init("http://calendarserver.org/ns/", "getctag")]))
        #expect(root.child(.dav("prop"))?.children.map(\.name) == [
            .dav("current-user-principal"), .cardDAV("addressbook-home-set"), .init("http://calendarserver.org/ns/", "getctag"),
        ])
    }
}
