import Torch

/// The input transform of a run, as it appears in a YAML or JSON config (every field optional,
/// snake_case keys). Steps run in a fixed order: resize → flip → pad + random crop → colour jitter
/// → normalise → random erasing, the order of fast-reid's and cluster-contrast's training
/// transforms. The defaults are the usual re-ID training recipe at 256×128:
///
///     height: 256
///     width: 128
///     flip_probability: 0.5
///     padding: 10
///     padding_mode: constant        # or reflect
///     color_jitter: null            # e.g. {brightness: 0.2, contrast: 0.15, probability: 0.5}
///     erasing: {probability: 0.5, area: [0.02, 0.4], aspect: [0.3, 3.3], fill: mean}
///     mean: [0.485, 0.456, 0.406]
///     std: [0.229, 0.224, 0.225]
///
/// `TransformConfig.evaluation` is resize + normalise only.
public struct TransformConfig: Codable, Sendable, Equatable {
    public enum PaddingMode: String, Codable, Sendable { case constant, reflect }

    public struct ColorJitterConfig: Codable, Sendable, Equatable {
        public var brightness: Double = 0
        public var contrast: Double = 0
        public var saturation: Double = 0
        public var hue: Double = 0
        public var probability: Double = 1

        public init(brightness: Double = 0, contrast: Double = 0, saturation: Double = 0, hue: Double = 0,
                    probability: Double = 1) {
            (self.brightness, self.contrast, self.saturation, self.hue, self.probability)
                = (brightness, contrast, saturation, hue, probability)
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            brightness = try c.decodeIfPresent(Double.self, forKey: .brightness) ?? 0
            contrast = try c.decodeIfPresent(Double.self, forKey: .contrast) ?? 0
            saturation = try c.decodeIfPresent(Double.self, forKey: .saturation) ?? 0
            hue = try c.decodeIfPresent(Double.self, forKey: .hue) ?? 0
            probability = try c.decodeIfPresent(Double.self, forKey: .probability) ?? 1
        }
    }

    public struct ErasingConfig: Codable, Sendable, Equatable {
        public var probability: Double = 0.5
        /// [min, max] fraction of the image area.
        public var area: [Double] = [0.02, 0.4]
        /// [min, max] height / width.
        public var aspect: [Double] = [0.3, 3.3]
        public var fill: RandomErasing.Fill = .mean

        public init(probability: Double = 0.5, area: [Double] = [0.02, 0.4], aspect: [Double] = [0.3, 3.3],
                    fill: RandomErasing.Fill = .mean) {
            (self.probability, self.area, self.aspect, self.fill) = (probability, area, aspect, fill)
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            probability = try c.decodeIfPresent(Double.self, forKey: .probability) ?? 0.5
            area = try c.decodeIfPresent([Double].self, forKey: .area) ?? [0.02, 0.4]
            aspect = try c.decodeIfPresent([Double].self, forKey: .aspect) ?? [0.3, 3.3]
            fill = try c.decodeIfPresent(RandomErasing.Fill.self, forKey: .fill) ?? .mean
        }
    }

    public var height: Int = 256
    public var width: Int = 128
    /// Probability of a horizontal flip; 0 turns it off.
    public var flipProbability: Double = 0.5
    /// Pixels of padding before the random crop back to height × width; 0 turns it off.
    public var padding: Int = 10
    public var paddingMode: PaddingMode = .constant
    public var colorJitter: ColorJitterConfig? = nil
    public var erasing: ErasingConfig? = ErasingConfig()
    public var mean: [Float] = ImageLoading.imagenetMean
    public var std: [Float] = ImageLoading.imagenetStd

    public init(height: Int = 256, width: Int = 128, flipProbability: Double = 0.5, padding: Int = 10,
                paddingMode: PaddingMode = .constant, colorJitter: ColorJitterConfig? = nil,
                erasing: ErasingConfig? = ErasingConfig(),
                mean: [Float] = ImageLoading.imagenetMean, std: [Float] = ImageLoading.imagenetStd) {
        self.height = height
        self.width = width
        self.flipProbability = flipProbability
        self.padding = padding
        self.paddingMode = paddingMode
        self.colorJitter = colorJitter
        self.erasing = erasing
        self.mean = mean
        self.std = std
    }

    /// The evaluation transform: resize and normalise, nothing random.
    public static func evaluation(height: Int = 256, width: Int = 128) -> TransformConfig {
        TransformConfig(height: height, width: width, flipProbability: 0, padding: 0, colorJitter: nil, erasing: nil)
    }

    enum CodingKeys: String, CodingKey {
        case height, width, flipProbability = "flip_probability", padding, paddingMode = "padding_mode"
        case colorJitter = "color_jitter", erasing, mean, std
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TransformConfig()
        height = try c.decodeIfPresent(Int.self, forKey: .height) ?? d.height
        width = try c.decodeIfPresent(Int.self, forKey: .width) ?? d.width
        flipProbability = try c.decodeIfPresent(Double.self, forKey: .flipProbability) ?? d.flipProbability
        padding = try c.decodeIfPresent(Int.self, forKey: .padding) ?? d.padding
        paddingMode = try c.decodeIfPresent(PaddingMode.self, forKey: .paddingMode) ?? d.paddingMode
        colorJitter = try c.decodeIfPresent(ColorJitterConfig.self, forKey: .colorJitter)
        // A missing key keeps the default erasing; an explicit null turns it off.
        erasing = c.contains(.erasing) ? try c.decodeIfPresent(ErasingConfig.self, forKey: .erasing) : d.erasing
        mean = try c.decodeIfPresent([Float].self, forKey: .mean) ?? d.mean
        std = try c.decodeIfPresent([Float].self, forKey: .std) ?? d.std
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(height, forKey: .height)
        try c.encode(width, forKey: .width)
        try c.encode(flipProbability, forKey: .flipProbability)
        try c.encode(padding, forKey: .padding)
        try c.encode(paddingMode, forKey: .paddingMode)
        try c.encodeIfPresent(colorJitter, forKey: .colorJitter)
        // Written as null when off, since a missing key means the default erasing.
        if let erasing { try c.encode(erasing, forKey: .erasing) } else { try c.encodeNil(forKey: .erasing) }
        try c.encode(mean, forKey: .mean)
        try c.encode(std, forKey: .std)
    }

    /// Throws with the offending field when a value is out of range.
    public func validate() throws {
        func bad(_ message: String) -> ReIDError { ReIDError.invalidOption("transform config: " + message) }
        guard height > 0 && width > 0 else { throw bad("height and width must be positive, got \(height)x\(width)") }
        guard (0...1).contains(flipProbability) else { throw bad("flip_probability must be in 0…1, got \(flipProbability)") }
        guard padding >= 0 else { throw bad("padding must be ≥ 0, got \(padding)") }
        guard mean.count == 3 && std.count == 3 && std.allSatisfy({ $0 > 0 }) else {
            throw bad("mean and std need 3 values each (RGB), std > 0")
        }
        if let j = colorJitter {
            guard [j.brightness, j.contrast, j.saturation].allSatisfy({ $0 >= 0 }), (0...0.5).contains(j.hue),
                  (0...1).contains(j.probability) else {
                throw bad("color_jitter strengths must be ≥ 0, hue in 0…0.5, probability in 0…1")
            }
        }
        if let e = erasing {
            guard (0...1).contains(e.probability), e.area.count == 2, e.aspect.count == 2,
                  0 < e.area[0], e.area[0] <= e.area[1], e.area[1] < 1, 0 < e.aspect[0], e.aspect[0] <= e.aspect[1] else {
                throw bad("erasing needs probability in 0…1, area [min, max] within (0, 1) and aspect [min, max] > 0")
            }
        }
    }
}
