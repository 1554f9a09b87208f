import Foundation

/// An XML element tree for answers whose elements nest under the same name (CloudWatch's
/// `MetricDataResults/member/Values/member`), where `AWSXML`'s flat tag search cannot tell the
/// levels apart. Handles the XML the AWS query protocol sends: a prolog, comments, elements with
/// attributes and namespace prefixes (dropped from names), self-closing tags, entity-encoded text
/// and CDATA. No DTDs. (FoundationXML is not used: it needs libxml2, which the runtime image lacks.)
public struct AWSXMLElement: Sendable, Hashable {
    /// The local name (prefix dropped).
    public var name: String
    /// Child elements, in order.
    public var children: [AWSXMLElement]
    /// The decoded text directly inside the element (whitespace between children kept).
    public var text: String

    /// An element.
    public init(name: String, children: [AWSXMLElement] = [], text: String = "") {
        self.name = name
        self.children = children
        self.text = text
    }

    /// The first child named `name`.
    public func child(_ name: String) -> AWSXMLElement? { children.first { $0.name == name } }

    /// Every child named `name`.
    public func all(_ name: String) -> [AWSXMLElement] { children.filter { $0.name == name } }

    /// The child reached by following `path` (first match at each level).
    public func at(_ path: String...) -> AWSXMLElement? {
        var node: AWSXMLElement? = self
        for name in path { node = node?.child(name) }
        return node
    }

    /// The trimmed text of the child `name`.
    public func value(_ name: String) -> String? { child(name)?.text.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Parses a document; throws `AWSError` (`InvalidResponse`) when it is not well-formed.
    public static func parse(_ xml: String) throws -> AWSXMLElement {
        var stack: [AWSXMLElement] = [AWSXMLElement(name: "#document")]
        var rest = Substring(xml)
        func fail(_ why: String) -> AWSError {
            AWSError(code: "InvalidResponse", message: "malformed XML answer: \(why)", kind: .unavailable)
        }
        while !rest.isEmpty {
            guard let lt = rest.firstIndex(of: "<") else {
                stack[stack.count - 1].text += AWSXML.decode(String(rest))
                break
            }
            if lt > rest.startIndex { stack[stack.count - 1].text += AWSXML.decode(String(rest[rest.startIndex..<lt])) }
            rest = rest[lt...]
            if rest.hasPrefix("<?") {
                guard let end = rest.range(of: "?>") else { throw fail("unterminated processing instruction") }
                rest = rest[end.upperBound...]
            } else if rest.hasPrefix("<!--") {
                guard let end = rest.range(of: "-->") else { throw fail("unterminated comment") }
                rest = rest[end.upperBound...]
            } else if rest.hasPrefix("<![CDATA[") {
                guard let end = rest.range(of: "]]>") else { throw fail("unterminated CDATA") }
                stack[stack.count - 1].text += String(rest[rest.index(rest.startIndex, offsetBy: 9)..<end.lowerBound])
                rest = rest[end.upperBound...]
            } else if rest.hasPrefix("<!") {
                throw fail("DTDs are not accepted")
            } else if rest.hasPrefix("</") {
                guard let gt = rest.firstIndex(of: ">") else { throw fail("unterminated end tag") }
                let name = localName(String(rest[rest.index(rest.startIndex, offsetBy: 2)..<gt]).trimmingCharacters(in: .whitespaces))
                guard stack.count > 1, let open = stack.last, open.name == name else {
                    throw fail("end tag </\(name)> does not close <\(stack.last?.name ?? "")>")
                }
                stack.removeLast()
                stack[stack.count - 1].children.append(open)
                rest = rest[rest.index(after: gt)...]
            } else {
                guard let gt = rest.firstIndex(of: ">") else { throw fail("unterminated start tag") }
                var inside = rest[rest.index(after: rest.startIndex)..<gt]
                let selfClosing = inside.hasSuffix("/")
                if selfClosing { inside = inside.dropLast() }
                let rawName = inside.prefix { !$0.isWhitespace }
                guard !rawName.isEmpty else { throw fail("empty tag name") }
                let element = AWSXMLElement(name: localName(String(rawName)))
                if selfClosing { stack[stack.count - 1].children.append(element) } else { stack.append(element) }
                rest = rest[rest.index(after: gt)...]
            }
        }
        guard stack.count == 1 else { throw fail("<\(stack.last?.name ?? "")> is not closed") }
        guard let root = stack[0].children.first else { throw fail("no root element") }
        return root
    }

    private static func localName(_ name: String) -> String {
        name.split(separator: ":").last.map(String.init) ?? name
    }
}
