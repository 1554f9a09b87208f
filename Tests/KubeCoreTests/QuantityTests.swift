import Foundation
import KubeCore
import Testing

@Suite("Quantity")
struct QuantityTests {
    @Test("parses SI, binary and exponent suffixes to exact values")
    func parsesSuffixes() throws {
        #expect(try Quantity(parsing: "500m").value == Decimal(string: "0.5"))
        #expect(try Quantity(parsing: "2Gi").value == Decimal(2 * 1024 * 1024 * 1024))
        #expect(try Quantity(parsing: "1e3").value == 1000)
        #expect(try Quantity(parsing: "1.5").value == Decimal(string: "1.5"))
        #expect(try Quantity(parsing: "128974848").int64Value == 128_974_848)
        #expect(try Quantity(parsing: "129M").value == 129_000_000)
        #expect(try Quantity(parsing: "100n").milliValue == 1)
    }

    @Test("compares by value across notations")
    func comparesCanonically() throws {
        #expect(try Quantity(parsing: "1000m") == Quantity(parsing: "1"))
        #expect(try Quantity(parsing: "1Ki") == Quantity(parsing: "1024"))
        #expect(try Quantity(parsing: "1e3") == Quantity(parsing: "1k"))
        #expect(try Quantity(parsing: "500m") < Quantity(parsing: "1"))
        #expect(try Quantity(parsing: "1Gi") > Quantity(parsing: "1G"))
        #expect(Set([try Quantity(parsing: "1000m"), try Quantity(parsing: "1")]).count == 1)
    }

    @Test("writes the canonical form the API server would")
    func canonicalForm() throws {
        #expect(try Quantity(parsing: "1000m").canonical == "1")
        #expect(try Quantity(parsing: "0.5").canonical == "500m")
        #expect(try Quantity(parsing: "1536Mi").canonical == "1536Mi")
        #expect(try Quantity(parsing: "2048Mi").canonical == "2Gi")
        #expect(try Quantity(parsing: "1000").canonical == "1k")
        #expect(try Quantity(parsing: "1500").canonical == "1500")
        #expect(try Quantity(parsing: "0").canonical == "0")
    }

    @Test("rejects malformed quantities", arguments: ["", "abc", "1.2.3", "5Xi", "Gi", "--1"])
    func rejectsMalformed(_ text: String) {
        #expect(throws: KubeCoreError.self) { try Quantity(parsing: text) }
    }

    @Test("decodes from strings and numbers and encodes canonical strings")
    func codable() throws {
        let r = try JSONDecoder().decode(ResourceRequirements.self, from: Data(#"{"limits":{"cpu":2,"memory":"1024Mi"},"requests":{"cpu":"250m"}}"#.utf8))
        #expect(r.limits?["cpu"] == Quantity(value: 2))
        #expect(r.limits?["memory"]?.canonical == "1Gi")
        let back = try JSONValue(encoding: r)
        #expect(back[path: ["requests", "cpu"]] == "250m")
    }
}

@Suite("GoDuration")
struct GoDurationTests {
    @Test("parses Go duration syntax")
    func parses() throws {
        #expect(try GoDuration(parsing: "1h30m").timeInterval == 5400)
        #expect(try GoDuration(parsing: "250ms").nanoseconds == 250_000_000)
        #expect(try GoDuration(parsing: "1.5s").nanoseconds == 1_500_000_000)
        #expect(try GoDuration(parsing: "-2m").timeInterval == -120)
        #expect(try GoDuration(parsing: "0").nanoseconds == 0)
        #expect(try GoDuration(parsing: "3us").nanoseconds == 3000)
        #expect(try GoDuration(parsing: "1h2m3s4ms").nanoseconds == 3_723_004_000_000)
    }

    @Test("rejects malformed durations", arguments: ["", "5", "1x", "h", "1.2.3s", "ms"])
    func rejects(_ text: String) {
        #expect(throws: KubeCoreError.self) { try GoDuration(parsing: text) }
    }

    @Test("formats as Go does")
    func formats() throws {
        #expect(try GoDuration(parsing: "1h30m").description == "1h30m0s")
        #expect(try GoDuration(parsing: "250ms").description == "250ms")
        #expect(try GoDuration(parsing: "1.5s").description == "1.5s")
        #expect(GoDuration(nanoseconds: 0).description == "0s")
        #expect(try GoDuration(parsing: "90s").description == "1m30s")
    }
}
