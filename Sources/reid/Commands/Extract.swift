import ArgumentParser
import Foundation
import ReID
import ReIDCommandOptions
import Torch

struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute one feature vector per image with a re-ID model.",
        discussion: """
            Images are decoded, resized to --size (bilinear), scaled to 0…1 and
            normalised with the ImageNet mean and std, then passed through the
            model in evaluation mode. The output is a safetensors file with
            `features` [N, D], `pids` and `cams` (from Market-1501 names, −1 when
            unknown), and the image names in its metadata.

            Examples:
              reid extract --model onnx:osnet_x0_25_msmt17.onnx \\
                  --data data/cuhk03-pair1 --out cuhk03.safetensors
              reid extract --model mobilenetv2 \\
                  --weights mobilenetv2_imagenet.safetensors \\
                  --images my_crops/ --out crops.safetensors --json
              reid extract --model onnx:model.onnx \\
                  --tensor batch.safetensors --out out.safetensors
              reid extract --run runs/adapted --images my_crops/ --out crops.safetensors

            With --data, --split picks splits (default query,gallery) and
            --format the layout (see `reid dataset --help`; detected when
            omitted); the file then also holds `split` (0 train, 1 query,
            2 gallery). Weights that hold only a backbone
            (no re-ID head) give its globally average-pooled feature map.
            """
    )

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "A folder of images (jpg/png/bmp).")
    var images: String?

    @Option(name: [.customLong("data"), .customLong("dataset")],
            help: "A dataset root (Market-1501, DukeMTMC-reID, MSMT17, CUHK03-NP layout or a CSV manifest); --dataset is the old name.")
    var dataset: String?

    @Option(help: "With --data: market|duke|msmt17|cuhk03-labeled|cuhk03-detected|csv|folder (detected when omitted).")
    var format: String?

    @Option(help: "With --data: comma-separated splits among train, query, gallery.")
    var split: String = "query,gallery"

    @Option(help: "A safetensors file whose `input` [N,3,H,W] tensor is fed to the model as is.")
    var tensor: String?

    @Option(help: "Output safetensors file.")
    var out: String
    @Option(help: "Also write the model's input batch, exactly as decoded, resized and normalised, as `input` [N,3,H,W] to this safetensors file (large: 0.4 MB per image at 256x128), to feed another engine (onnxruntime…) the same numbers.")
    var saveInputs: String?

    @Option(help: "Images per batch.")
    var batch: Int = FeatureExtractor.defaultBatchSize

    @Option(help: "Batches decoded and embedded side by side, each on one thread (1: one batch at a time on every core). Default: 2 on a CPU with 2 or more cores (measured faster for OSNet x0.25 on 2 cores), else 1.")
    var streams: Int?

    @OptionGroup var deviceOption: DeviceOption
    @OptionGroup var precisionOption: PrecisionOption

    @Flag(help: "Run the model eagerly instead of through libtorch's traced, inference-optimised path.")
    var eager = false

    @Flag(help: "Print a JSON summary on standard output instead of text.")
    var json = false

    func validate() throws {
        guard modelOptions.isGiven else { throw ValidationError("give --model NAME (with --weights) or --run RUN_DIR") }
        let sources = [images, dataset, tensor].compactMap { $0 }
        guard sources.count == 1 else {
            throw ValidationError("give exactly one of --images DIR, --data DIR or --tensor FILE")
        }
        guard batch > 0 else { throw ValidationError("--batch must be positive") }
        guard (streams ?? 1) > 0 else { throw ValidationError("--streams must be positive") }
    }

    func run() throws {
        Runtime.configure()
        let device = try deviceOption.resolve()
        let chosen = try modelOptions.resolve()
        let size = chosen.size
        let loaded = try LoadedModel.load(chosen.spec, weights: chosen.weights, device: device, traced: !eager,
                                          precision: precisionOption.resolve(on: device))
        let started = Date()

        if let tensor {
            let input = try Safetensors.load(tensor, only: ["input"]).tensors["input"]!
            guard input.rank == 4, input.size(1) == 3 else {
                throw ValidationError("\(tensor): `input` must be [N, 3, H, W], found \(input.shape)")
            }
            let features = try withNoGrad { try loaded.embed(input.to(.float32).to(device)).to(.cpu) }
            try Safetensors.save(["features": features], to: out)
            try report(count: input.size(0), dims: features.size(1), seconds: Date().timeIntervalSince(started))
            return
        }

        var records: [ImageRecord] = []
        var splits: [Int]? = nil
        if let images {
            records = try ImageFolder.list(images).map { path in
                let parsed = MarketNaming.parse(path)
                return ImageRecord(path: path, pid: parsed?.pid ?? -1, camera: parsed?.camera ?? -1)
            }
        } else if let dataset {
            let wanted = try DatasetSplit.parseList(split)
            let layout = try format.map { try DatasetLayout(format: $0) }
            // Every split asked for must be there: none is optional here.
            let data = try DatasetLayout.load(dataset, format: layout,
                                              options: DatasetOptions(splits: Set(wanted), optionalSplits: []))
            splits = []
            for s in wanted {
                guard !data[s].isEmpty else {
                    throw ReIDError.data(path: dataset, reason: "the \(s.rawValue) split of this \(data.name) is empty")
                }
                records += data[s]
                splits! += Array(repeating: s.code, count: data[s].count)
            }
        }
        var extractor = FeatureExtractor(height: size.height, width: size.width, batchSize: batch, device: device,
                                         streams: streams ?? (device == .cpu && ProcessInfo.processInfo.activeProcessorCount >= 2 ? 2 : 1))
        let progress = Progress(total: records.count, label: "extract")
        var inputs: [Tensor] = []
        if saveInputs != nil { extractor.streams = 1 }  // one stream: batches arrive in order
        let features = try extractor.extract(paths: records.map(\.path), progress: progress) { batch in
            if saveInputs != nil { inputs.append(try batch.to(.cpu)) }
            return try loaded.embed(batch)
        }
        if let saveInputs { try Safetensors.save(["input": try Tensor.cat(inputs, dim: 0)], to: saveInputs) }
        try FeatureFile(features: features, records: records, splits: splits)
            .save(to: out, metadata: ["model": chosen.spec, "size": size.description])
        try report(count: records.count, dims: features.size(1), seconds: Date().timeIntervalSince(started))
    }

    func report(count: Int, dims: Int, seconds: Double) throws {
        if json {
            try printJSON(["images": count, "dims": dims, "seconds": seconds,
                           "images_per_second": Double(count) / max(seconds, 1e-9), "out": out])
        } else {
            print(String(format: "%d features of %d dims in %.1f s (%.1f images/s) → %@", count, dims, seconds,
                         Double(count) / max(seconds, 1e-9), out))
        }
    }
}
