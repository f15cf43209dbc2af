import Torch

/// Choices every backbone constructor receives.
public struct BackboneOptions: Codable, Sendable, Equatable {
    /// Stride of the last stage. nil: the backbone's default (1 for the ResNets, the re-ID
    /// choice; 2 for MobileNetV2, its ImageNet layout). OSNet has no strided last stage and
    /// ignores it.
    public var lastStride: Int? = nil
    /// A weight file to load into the backbone after construction (names bare or under
    /// `backbone.` / `module.`; an ImageNet classifier such as `fc.*` is skipped).
    public var pretrainedWeights: String? = nil

    public init(lastStride: Int? = nil, pretrainedWeights: String? = nil) {
        self.lastStride = lastStride
        self.pretrainedWeights = pretrainedWeights
    }

    enum CodingKeys: String, CodingKey { case lastStride = "last_stride", pretrainedWeights = "pretrained_weights" }
}

/// Backbones by name, for `--model` and configs. Adding a backbone: a new file with a type
/// conforming to `Backbone`, plus one `Entry` line below.
public enum BackboneRegistry {
    public typealias Constructor = @Sendable (BackboneOptions) throws -> any Backbone

    public struct Entry: Sendable {
        /// The first name is the canonical one; the rest are aliases.
        public let names: [String]
        public let summary: String
        public let make: Constructor

        public init(_ names: [String], _ summary: String, _ make: @escaping Constructor) {
            self.names = names
            self.summary = summary
            self.make = make
        }
    }

    public static let entries: [Entry] = [
        Entry(["resnet50"], "ResNet-50, torchvision names, last stride 1 by default") {
            try ResNet50(lastStride: $0.lastStride ?? 1)
        },
        Entry(["resnet50-ibn-a", "ibn-net50-a", "resnet50_ibn_a"], "IBN-Net-50-a, official IBN-Net/fast-reid names") {
            try ResNet50(lastStride: $0.lastStride ?? 1, variant: .ibnA)
        },
        Entry(["mobilenetv2"], "MobileNetV2 width 1.0 features, torchvision's original names") {
            try MobileNetV2(lastStride: $0.lastStride ?? 2)
        },
        Entry(["osnet_x1_0"], "OSNet x1.0, torchreid names") { _ in try OSNet(width: .x1_0) },
        Entry(["osnet_x0_75"], "OSNet x0.75, torchreid names") { _ in try OSNet(width: .x0_75) },
        Entry(["osnet_x0_5"], "OSNet x0.5, torchreid names") { _ in try OSNet(width: .x0_5) },
        Entry(["osnet_x0_25"], "OSNet x0.25, torchreid names") { _ in try OSNet(width: .x0_25) },
    ]

    /// Every accepted name, canonical names and aliases, in registry order.
    public static var knownNames: [String] { entries.flatMap(\.names) }

    /// Prefix of names that denote an imported ONNX graph: "onnx:/path/to/model.onnx".
    public static let onnxPrefix = "onnx:"

    /// The file of an "onnx:PATH" model name, or nil for registry names.
    public static func onnxPath(_ name: String) -> String? {
        name.hasPrefix(onnxPrefix) ? String(name.dropFirst(onnxPrefix.count)) : nil
    }

    /// Builds the backbone called `name` (case-insensitive) and, when
    /// `options.pretrainedWeights` is set, loads that file into it.
    ///
    /// - Throws: `ModelError.unknownBackbone` listing the known names; the weight loader's
    ///   errors (naming the file and the mismatching tensors).
    public static func make(_ name: String, options: BackboneOptions = .init()) throws -> any Backbone {
        if let path = onnxPath(name) {
            return try ONNXBackbone(path: path)
        }
        let key = name.lowercased()
        guard let entry = entries.first(where: { $0.names.contains(key) }) else {
            throw ModelError.unknownBackbone(name: name, known: knownNames)
        }
        let backbone = try entry.make(options)
        if let path = options.pretrainedWeights {
            try BackboneWeights.load(WeightFile.load(path), source: path, into: backbone)
        }
        return backbone
    }
}
