import Foundation

/// How a view generator run was set up (`generator.json` in its run folder).
public struct GeneratorSettings: Codable, Sendable, Equatable {
    /// Training images: the train split of any supported layout.
    public var data: String
    /// "auto" (built-in: the grey image itself in training, another person's for views) or
    /// "renders:DIR" (DIR/render_<deg>/<name> grey renders per angle; render_0 is the own pose).
    public var structure = "auto"
    /// The identity/appearance encoder: a re-ID backbone and its weights (frozen while training).
    public var backbone = "mobilenetv2"
    public var initialWeights = ""
    public var height = 128
    public var width = 64
    public var batchSize = 8
    public var steps = 20000
    /// Stop early after this many minutes of training, resumed parts included (0: no limit).
    public var minutes = 0.0
    public var lr = 1e-4
    /// Pseudo-identities for the partner images: Jaccard + DBSCAN on the encoder's features.
    public var eps = 0.5
    public var minSamples = 4
    public var seed: UInt64 = 0
    /// Checkpoint, log line and sample grid every this many steps.
    public var checkpointEvery = 250
    /// Decay of the generator weights' exponential moving average, from which samples and views
    /// are drawn: the average smooths over the last adversarial updates, whose single weights
    /// swing from step to step (0 turns it off: the live weights are used).
    public var emaDecay = 0.999
    /// Side (odd, in pixels) of the local mean taken out of the grey structure input, leaving
    /// edges and texture but not the shade of large areas (a dark coat, a light shirt), which must
    /// then come from the appearance; 0: the plain grey image.
    public var structureDetail = 0
    /// Also paint the appearance's colour layout (`ViewGenerator.colourLayout`) onto the structure
    /// code as a picture of its stripes (`ViewDecoder`), so each colour lands at its height
    /// (measured on cuhk03-pair1 with structure detail 9: colours moved to the right height in the
    /// grid, identity rates unchanged).
    public var colourMap = false

    public init(data: String) { self.data = data }

    enum CodingKeys: String, CodingKey {
        case data, structure, backbone, initialWeights, height, width, batchSize, steps, minutes, lr, eps, minSamples, seed
        case checkpointEvery, emaDecay, structureDetail, colourMap
    }

    /// Reads every key that is present (a run folder written before a key existed keeps its default).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        data = try c.decode(String.self, forKey: .data)
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try read(.structure, &structure)
        try read(.backbone, &backbone)
        try read(.initialWeights, &initialWeights)
        try read(.height, &height)
        try read(.width, &width)
        try read(.batchSize, &batchSize)
        try read(.steps, &steps)
        try read(.minutes, &minutes)
        try read(.lr, &lr)
        try read(.eps, &eps)
        try read(.minSamples, &minSamples)
        try read(.seed, &seed)
        try read(.checkpointEvery, &checkpointEvery)
        try read(.emaDecay, &emaDecay)
        try read(.structureDetail, &structureDetail)
        try read(.colourMap, &colourMap)
    }

    /// The renders folder when `structure` is renders:DIR.
    public var rendersDirectory: String? {
        structure.hasPrefix("renders:") ? String(structure.dropFirst("renders:".count)) : nil
    }

    public func validate() throws {
        guard structure == "auto" || (rendersDirectory.map { !$0.isEmpty } ?? false) else {
            throw ReIDError.invalidOption("--structure '\(structure)': use auto or renders:DIR (DIR/render_<deg>/<image name>)")
        }
        if let dir = rendersDirectory {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                throw ReIDError.data(path: dir, reason: "is not a folder; renders are DIR/render_<deg>/<image name> grey images")
            }
        }
        guard height % 8 == 0, width % 8 == 0, height > 0, width > 0 else {
            throw ReIDError.invalidOption("generator image size \(height)x\(width): both sides must be multiples of 8")
        }
        guard batchSize >= 2 else { throw ReIDError.invalidOption("generator batch size must be at least 2") }
        guard (0..<1).contains(emaDecay) else { throw ReIDError.invalidOption("--ema-decay \(emaDecay): use 0 (off) up to below 1, e.g. 0.999") }
        guard structureDetail == 0 || (structureDetail >= 3 && structureDetail % 2 == 1) else {
            throw ReIDError.invalidOption("--structure-detail \(structureDetail): use 0 (plain grey) or an odd size of at least 3, e.g. 9")
        }
        guard checkpointEvery >= 1, steps >= 1 else { throw ReIDError.invalidOption("generator steps and --checkpoint-every must be at least 1") }
    }
}
