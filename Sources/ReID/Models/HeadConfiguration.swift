/// What a `ReIDModel` puts on top of its backbone. Decodes from YAML/JSON with defaults for
/// every missing field.
public struct HeadConfiguration: Codable, Sendable, Equatable {
    /// Global (and part) pooling.
    public var pooling: PoolingKind = .average
    /// Initial GeM exponent (GeM pooling only).
    public var gemP: Double = 3
    /// Identities for the classifier after the BNNeck; nil or 0 for none.
    public var classes: Int? = nil
    /// Horizontal stripes with their own BNNeck (0: none; PPLR uses 3).
    public var parts: Int = 0

    public init(pooling: PoolingKind = .average, gemP: Double = 3, classes: Int? = nil, parts: Int = 0) {
        self.pooling = pooling
        self.gemP = gemP
        self.classes = classes
        self.parts = parts
    }

    enum CodingKeys: String, CodingKey { case pooling, gemP = "gem_p", classes, parts }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        pooling = try c.decodeIfPresent(PoolingKind.self, forKey: .pooling) ?? .average
        gemP = try c.decodeIfPresent(Double.self, forKey: .gemP) ?? 3
        classes = try c.decodeIfPresent(Int.self, forKey: .classes)
        parts = try c.decodeIfPresent(Int.self, forKey: .parts) ?? 0
    }
}
