import Foundation
import Torch

/// Writes a view set (`nv/<deg>/<name>`) of a dataset's training images with a trained generator,
/// and measures identity preservation (`IdentityPreservation`) on the written files, by the
/// generator's encoder and, when given, by an independent `judge` model.
///
/// Structure per angle: with renders, `render_<deg>/<name>`; built-in (auto), the grey image of
/// the n-th pose donor (`PseudoIdentities.poseDonors`: another person, another camera first),
/// n = the angle's position in the list. Built-in "angles" therefore name slots of other observed
/// poses and scenes, not rotations.
public struct ViewGeneration {
    public let runPath: String
    public let data: String
    public let angles: [Int]
    public let out: String
    public var device: Device = .cpu
    public var verbose = true
    /// A re-ID model to judge identity preservation with (any `reid extract --model` spec:
    /// `onnx:PATH`, `run:DIR`, a backbone name with `judgeWeights`), read at `judgeSize`
    /// (nil: a run's own input size, else 256×128).
    public var judge: String?
    public var judgeWeights: String?
    public var judgeSize: (height: Int, width: Int)?

    public init(runPath: String, data: String, angles: [Int], out: String) {
        self.runPath = runPath
        self.data = data
        self.angles = angles
        self.out = out
    }

    public struct Summary: Codable, Sendable {
        public var originals: Int
        public var angles: [Int]
        public var written: Int
        /// Views whose structure had to come from the image itself (no partner / no render).
        public var withoutStructureSource: Int
        public var structure: String
        /// By the judge (the encoder when no judge was given).
        public var identityPreservation: Double
        public var identityPreservationPerAngle: [String: Double]
        /// By the generator's own encoder, always (lenient: its identity loss optimised this).
        public var identityPreservationByEncoder: Double?
        /// By the judge: the share of views whose nearest original shows the same person as their
        /// source (nil when the dataset does not name its people; names only measure, never train).
        public var personPreservation: Double?
        public var personPreservationByEncoder: Double?
        /// The share a random nearest original would score on the person rate.
        public var personChance: Double?
        /// Real new views judged the same way (`IdentityPreservation.realViews`): another camera's
        /// images of the person taken as views of each of its images. Their image rate is the
        /// ceiling of `identityPreservation` for views that change pose and scene.
        public var realViews: IdentityPreservation.Rates?
        /// 1 / originals: the rate of a random guess.
        public var chance: Double
        public var judge: String
        public var seconds: Double
    }

    public func run() throws -> Summary {
        guard !angles.isEmpty, angles.allSatisfy({ (0..<360).contains($0) }) else {
            throw ReIDError.invalidOption("--angles: give degrees 0…359, comma-separated, e.g. 90,135,180,270")
        }
        let started = Date()
        let (generator, settings, trainedIdentities) = try GeneratorRun.load(runPath, device: device)
        let records = try DatasetLayout.load(data).train
        guard !records.isEmpty else { throw ReIDError.data(path: data, reason: "has no training images to generate views of") }
        let identities = data == settings.data && trainedIdentities.labels.count == records.count
            ? trainedIdentities
            : try PseudoIdentities.cluster(model: generator.identity, records: records, height: settings.height,
                                           width: settings.width, eps: settings.eps, minSamples: settings.minSamples, device: device)
        let renders = settings.rendersDirectory
        let (h, w) = (settings.height, settings.width)
        var written = 0, selfStructure = 0
        let batchSize = 32
        let cameras = records.map(\.camera)
        let donors = renders == nil ? records.indices.map { identities.poseDonors(of: $0, count: angles.count, cameras: cameras) } : []
        for (slot, angle) in angles.enumerated() {
            try FileManager.default.createDirectory(atPath: "\(out)/nv/\(angle)", withIntermediateDirectories: true)
            for start in stride(from: 0, to: records.count, by: batchSize) {
                let idx = Array(start..<min(records.count, start + batchSize))
                let structurePaths = idx.map { structurePath(of: $0, slot: slot, angle: angle, records: records, donors: donors,
                                                             renders: renders) }
                selfStructure += zip(idx, structurePaths).filter { records[$0].path == $1 }.count
                let batch = try BatchLoader(paths: idx.map { records[$0].path } + structurePaths, height: h, width: w,
                                            batchSize: 2 * idx.count).load(batch: 0).to(device)
                let x = try batch.narrow(dim: 0, start: 0, length: idx.count)
                let s = try batch.narrow(dim: 0, start: idx.count, length: idx.count)
                let generated: Tensor = try withNoGrad {
                    try generator.generate(appearance: x, structureGrey: ViewGenerator.grey(ViewGenerator.toUnit(s)))
                }
                for (j, i) in idx.enumerated() {
                    try Image(tensor: (generated.select(dim: 0, index: j).to(.cpu) + 1) / 2)
                        .write(to: "\(out)/nv/\(angle)/\(records[i].name)")
                    written += 1
                }
                if slot == 0 && start == 0 {
                    try writePreview(generator: generator, records: records, donors: donors, settings: settings)
                }
            }
            if verbose { FileHandle.standardError.write(Data("generated \(records.count) views at \(angle)°\n".utf8)) }
        }
        // Identity preservation, judged on the files as written (8-bit, as training reads them).
        let viewPaths = Dictionary(uniqueKeysWithValues: angles.map { a in (a, records.map { "\(out)/nv/\(a)/\($0.name)" }) })
        let persons = records.allSatisfy({ $0.pid >= 0 }) ? records.map(\.pid) : nil
        let byEncoder = try IdentityPreservation.measure(originals: records.map(\.path), views: viewPaths, persons: persons,
                                                         cameras: cameras, height: h, width: w, device: device) {
            try generator.identity($0).embedding
        }
        var judged = byEncoder
        let encoderName = settings.initialWeights.lowercased().hasSuffix(".onnx") ? "onnx:" + settings.initialWeights : settings.backbone
        var judgeName = "the generator's identity encoder (\(encoderName), frozen during training; lenient: its identity loss optimised it)"
        if let judge {
            let model = try LoadedModel.load(judge, weights: judgeWeights, device: device)
            let size = try judgeSize ?? RunModel.directory(of: judge).map { try RunModel(directory: $0) }.map { ($0.height, $0.width) }
                ?? (256, 128)
            judged = try IdentityPreservation.measure(originals: records.map(\.path), views: viewPaths, persons: persons,
                                                      cameras: cameras, height: size.0, width: size.1, device: device) {
                try model.embed($0)
            }
            judgeName = "\(judge) at \(size.0)x\(size.1), a model the generator did not use"
        }
        let perAngle = judged.perAngle.mapValues(\.image)
        let personChance = persons.map(IdentityPreservation.personChance)
        let summary = Summary(originals: records.count, angles: angles, written: written, withoutStructureSource: selfStructure,
                              structure: settings.structure, identityPreservation: judged.overall.image,
                              identityPreservationPerAngle: perAngle, identityPreservationByEncoder: byEncoder.overall.image,
                              personPreservation: judged.overall.person, personPreservationByEncoder: byEncoder.overall.person,
                              personChance: personChance, realViews: judged.realViews,
                              chance: 1 / Double(records.count), judge: judgeName,
                              seconds: Date().timeIntervalSince(started))
        try GeneratorRun.writeJSON(summary, to: out + "/generation.json")
        try AtomicText.write(GeneratorReport.page(title: "Generated views", subtitle: "\(runPath) on \(data)", sections: [
            ("Identity preservation", String(format: "<p>Rank-1 of generated views retrieving their own original among all %d originals: <b>%.1f %%</b> (chance %.3f %%; by the generator's own encoder %.1f %%). Per angle: %@. Judge: %@.</p><p>Structure: %@%@.</p>",
                                             records.count, summary.identityPreservation * 100, summary.chance * 100, byEncoder.overall.image * 100,
                                             angles.map { String(format: "%d°: %.1f %%", $0, (perAngle[String($0)] ?? 0) * 100) }.joined(separator: ", "),
                                             HTML.escape(summary.judge), HTML.escape(settings.structure),
                                             renders == nil ? " (built-in: each angle slot takes the pose and scene of another person, another camera first, not a true rotation)" : "") + personParagraph(summary)),
            ("Original and generated", "<img class='grid' src='preview.png'><p>Columns: original, then one generated view per angle (\(angles.map { "\($0)°" }.joined(separator: ", "))).</p>"),
        ]), to: out + "/report.html")
        return summary
    }

    /// Where the view of `records[i]` in angle slot `slot` takes its structure: the render at that
    /// angle, else the slot's pose donor, else (neither exists) the image itself.
    func structurePath(of i: Int, slot: Int, angle: Int, records: [ImageRecord], donors: [[Int]], renders: String?) -> String {
        if let renders {
            let p = "\(renders)/render_\(angle)/\(records[i].name)"
            return FileManager.default.fileExists(atPath: p) ? p : records[i].path
        }
        return i < donors.count && slot < donors[i].count ? records[donors[i][slot]].path : records[i].path
    }

    /// The person rate and the real-view ceiling, when the dataset names its people.
    func personParagraph(_ s: Summary) -> String {
        guard let person = s.personPreservation else { return "" }
        var text = String(format: "<p>Nearest original showing the same person as the view's source (the dataset's person names, used only to measure): <b>%.1f %%</b> (chance %.2f %%; by the generator's own encoder %.1f %%).",
                          person * 100, (s.personChance ?? .nan) * 100, (s.personPreservationByEncoder ?? .nan) * 100)
        if let real = s.realViews {
            text += String(format: " Real new views (another camera's images of the person) judged the same way: %.1f %% own image, %.1f %% same person; the own-image rate of any view that changes pose and scene stays near that first number.",
                           real.image * 100, (real.person ?? .nan) * 100)
        }
        return text + "</p>"
    }

    /// preview.png: 8 originals and their generated views at every angle.
    func writePreview(generator: ViewGenerator, records: [ImageRecord], donors: [[Int]], settings: GeneratorSettings) throws {
        let count = min(8, records.count)
        let idx = Array(stride(from: 0, to: records.count, by: max(1, records.count / count)).prefix(count))
        let x = try BatchLoader(paths: idx.map { records[$0].path }, height: settings.height, width: settings.width,
                                batchSize: count).load(batch: 0).to(device)
        var columns = [try ViewGenerator.toUnit(x)]
        for (slot, angle) in angles.enumerated() {
            let paths = idx.map { structurePath(of: $0, slot: slot, angle: angle, records: records, donors: donors,
                                                renders: settings.rendersDirectory) }
            let s = try BatchLoader(paths: paths, height: settings.height, width: settings.width, batchSize: count).load(batch: 0).to(device)
            columns.append(try withNoGrad { try generator.generate(appearance: x, structureGrey: ViewGenerator.grey(ViewGenerator.toUnit(s))) })
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try GeneratorReport.grid(columns).resized(height: count * settings.height * 2, width: columns.count * settings.width * 2)
            .write(to: out + "/preview.png")
    }
}
