import Foundation
import KubeCore
import Testing

@Suite("JSONValue through Codable")
struct JSONValueDecodingTests {
    @Test("JSONDecoder gives objects, arrays, integers, doubles, booleans, strings and null their own cases")
    func everyCase() throws {
        let json = #"{"o":{"f:metadata":{"f:labels":{".":{},"f:app":{}}}},"a":[1,2.5,"x",true,null,{}],"i":7,"d":0.25,"b":false,"s":"1","n":null}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        #expect(value["o"]?["f:metadata"]?["f:labels"]?["."] == .object([:]))
        #expect(value["a"] == .array([.int(1), .double(2.5), .string("x"), .bool(true), .null, .object([:])]))
        #expect(value["i"] == .int(7))
        #expect(value["d"] == .double(0.25))
        #expect(value["b"] == .bool(false))
        #expect(value["s"] == .string("1"))
        #expect(value["n"] == .null)
        #expect(value == (try JSONValue.parse(json)))
    }

    @Test("managedFields of ObjectMeta decode as the JSON parser reads them")
    func managedFields() throws {
        let json = #"{"name":"p","managedFields":[{"manager":"sextant-controller","operation":"Update","apiVersion":"v1","time":"2026-12-07T07:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:ownerReferences":{"k:{\"uid\":\"u\"}":{}}},"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"step\"}":{".":{},"f:image":{}}}}}}}}]}"#
        let meta = try JSONDecoder().decode(ObjectMeta.self, from: Data(json.utf8))
        #expect(meta.managedFields == (try JSONValue.parse(json))["managedFields"]?.arrayValue)
    }

    @Test("with skipManagedFieldsKey in userInfo, ObjectMeta leaves managedFields out and decodes everything else")
    func skipManagedFields() throws {
        let json = #"{"name":"p","namespace":"ml","uid":"u","resourceVersion":"9","generation":2,"labels":{"a":"b"},"annotations":{"x":"y"},"ownerReferences":[{"apiVersion":"batch/v1","kind":"Job","name":"j","uid":"ju","controller":true}],"finalizers":["f"],"managedFields":[{"manager":"m","fieldsV1":{"f:metadata":{}}}]}"#
        let full = try JSONDecoder().decode(ObjectMeta.self, from: Data(json.utf8))
        let decoder = JSONDecoder()
        let key = try #require(ObjectMeta.skipManagedFieldsKey)
        decoder.userInfo[key] = true
        let skipped = try decoder.decode(ObjectMeta.self, from: Data(json.utf8))
        #expect(full.managedFields?.count == 1)
        #expect(skipped.managedFields == nil)
        var expected = full
        expected.managedFields = nil
        #expect(skipped == expected)
        #expect(skipped.ownerReferences?.first?.uid == "ju")
        #expect(skipped.generation == 2)
    }
}
