import Foundation
import XCTest
import ReIDTestSupport
@testable import Torch

/// The legacy (torch < 1.6) `torch.save` format: pickles in a row, then raw storages.
final class PthLegacyTests: PthTestCase {
    /// 12 float32 elements 0, 1, ... 11.
    let counting = (0..<12).map(Float.init).littleEndianBytes
    let longs = [Int64(-5), 1 << 40, .max].flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }

    /// {'a': 3×4 view of storage 0, 'a_t': its transpose, 'row': a row at offset 4,
    ///  'ids': int64 storage 1, 'epoch': 3}
    func handMade() -> [UInt8] {
        let p = PickleBuilder().emptyDict().mark()
        p.string("a").tensor(key: "0", numel: 12, size: [3, 4], stride: [4, 1], legacy: true)
        p.string("a_t").tensor(key: "0", numel: 12, size: [4, 3], stride: [1, 4], legacy: true)
        p.string("row").tensor(key: "0", numel: 12, offset: 4, size: [4], stride: [1], legacy: true)
        p.string("ids").tensor(type: "LongStorage", key: "1", numel: 3, size: [3], stride: [1], legacy: true)
        p.string("epoch").int(3)
        p.setItems().stop()
        return LegacyPthBuilder.build(p, storages: [("0", 12, counting), ("1", 3, longs)])
    }

    // MARK: hand-made files (no Python needed)

    func testHandMadeLegacyFileLoadsWithSharedStorages() throws {
        let path = try write(handMade(), "hand.pt")
        let sd = try PthFile.load(path)
        XCTAssertEqual(Set(sd.keys), ["a", "a_t", "row", "ids"])
        XCTAssertEqual(try values(sd["a"]), (0..<12).map(Double.init))
        XCTAssertEqual(sd["a_t"]?.shape, [4, 3])
        XCTAssertEqual(try values(sd["a_t"]), [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
        XCTAssertEqual(try values(sd["row"]), [4, 5, 6, 7])
        XCTAssertEqual(try sd["ids"]?.int64s(), [-5, 1 << 40, .max])
        try sd["a"]!.fill_(-1)
        XCTAssertEqual(try values(sd["row"]), [-1, -1, -1, -1], "one storage, read once")
        XCTAssertEqual(try PthFile.loadObject(path)["epoch"]?.int, 3)
        // Also through the extension-based loader the CLI uses.
        XCTAssertEqual(try WeightFile.load(path).count, 4)
    }

    /// torch ≤ 0.3 could save slices of a storage: view metadata (key, offset, numel).
    func testStorageViewsAreSlicesOfTheirRootStorage() throws {
        func file(_ name: String, view: (key: String, offset: Int, numel: Int), tensorOffset: Int,
                  size: [Int], stride: [Int]) throws -> String {
            let p = PickleBuilder().emptyDict().mark()
            p.string("whole").tensor(key: "0", numel: 12, size: [12], stride: [1], legacy: true)
            p.string("v").tensor(key: "0", numel: 12, offset: tensorOffset, size: size, stride: stride, view: view)
            p.setItems().stop()
            return try write(LegacyPthBuilder.build(p, storages: [("0", 12, counting)]), name)
        }
        // Elements 4..<10 of the storage; the tensor starts 1 into that slice.
        let path = try file("view.pt", view: ("v0", 4, 6), tensorOffset: 1, size: [2, 2], stride: [2, 1])
        let sd = try PthFile.load(path)
        XCTAssertEqual(try values(sd["v"]), [5, 6, 7, 8])
        try sd["whole"]!.fill_(0)
        XCTAssertEqual(try values(sd["v"]), [0, 0, 0, 0], "the view shares the root storage")

        let outside = try file("outside.pt", view: ("v0", 4, 6), tensorOffset: 3, size: [4], stride: [1])
        assertThrows(try PthFile.load(outside), mentioning: ["outside.pt", "needs 7 elements", "holds 6"])
        let badView = try file("badview.pt", view: ("v0", 10, 6), tensorOffset: 0, size: [1], stride: [1])
        assertThrows(try PthFile.load(badView), mentioning: ["badview.pt", "view metadata", "12-element"])
    }

    func testTruncatedAndCorruptLegacyFilesNameTheFile() throws {
        let bytes = handMade()
        // Every strict prefix is an error naming the file.
        for n in 0..<bytes.count {
            let path = try write(Array(bytes[..<n]), "cut.pt")
            assertThrows(try PthFile.load(path), mentioning: ["cut.pt"])
        }
        // Cut inside the storages: the message says which storage and that the file is truncated.
        assertThrows(try PthFile.load(write(Array(bytes.dropLast(5)), "short.pt")),
                     mentioning: ["short.pt", "legacy", "storage '1'", "truncated"])
        // Random damage: an error naming the file, or (inside tensor data) other values; never a crash.
        var rng = FuzzRandom(seed: 11)
        for i in 0..<300 {
            let path = try write(rng.mutate(bytes), "fuzz.pt")
            do { _ = try PthFile.loadObject(path) } catch {
                XCTAssertTrue("\(error)".contains("fuzz.pt"), "case \(i): \(error)")
            }
        }
    }

    func testLyingHeadersAndCountsAreClearErrors() throws {
        let dict = PickleBuilder().emptyDict().string("w")
            .tensor(key: "0", numel: 12, size: [12], stride: [1], legacy: true).setItem().stop()
        // A count far beyond the file: refused before any allocation.
        let huge = LegacyPthBuilder.build(dict, storages: [("0", 1 << 60, counting)])
        assertThrows(try PthFile.load(write(huge, "huge.pt")),
                     mentioning: ["huge.pt", "storage '0'", "claims \(1 << 60) elements", "bytes are left"])
        let beyondInt = LegacyPthBuilder.build(dict, storages: [("0", -1, counting)])  // 2^64 - 1 as written
        assertThrows(try PthFile.load(write(beyondInt, "max.pt")), mentioning: ["max.pt", "storage '0'", "claims"])
        // The count disagrees with the pickle's numel.
        let mismatch = LegacyPthBuilder.build(dict, storages: [("0", 11, Array(counting.dropLast(4)))])
        assertThrows(try PthFile.load(write(mismatch, "mismatch.pt")),
                     mentioning: ["mismatch.pt", "holds 11 elements", "says 12"])
        // The key list names a storage the object never uses, or misses one it does.
        let unused = LegacyPthBuilder.build(dict, storages: [("0", 12, counting)], keys: ["9"])
        assertThrows(try PthFile.load(write(unused, "unused.pt")), mentioning: ["unused.pt", "'9'", "never uses"])
        let missing = LegacyPthBuilder.build(dict, storages: [], keys: [])
        assertThrows(try PthFile.load(write(missing, "missing.pt")),
                     mentioning: ["missing.pt", "storage '0'", "not in the file's storage key list"])
        // Header pickles.
        let version = LegacyPthBuilder.build(dict, storages: [("0", 12, counting)], version: 1000)
        assertThrows(try PthFile.load(write(version, "version.pt")), mentioning: ["version.pt", "protocol version 1000"])
        let plain = PickleBuilder().emptyDict().string("x").int(1).setItem().stop().bytes
        assertThrows(try PthFile.load(write(plain, "plain.pkl.pt")),
                     mentioning: ["plain.pkl.pt", "magic number", "not a PyTorch checkpoint"])
        var tar = [UInt8](repeating: 0, count: 600)
        tar.replaceSubrange(257..<262, with: Array("ustar".utf8))
        assertThrows(try PthFile.load(write(tar, "old.tar")), mentioning: ["old.tar", "tar-format", "torch.save"])
    }

    // MARK: files written by Python's torch.save(..., _use_new_zipfile_serialization=False)

    func testLegacyFilesWrittenByPythonTorch() throws {
        try PythonTorch.require()
        let json = try PythonTorch.fixtures(Self.pythonScript, in: folder)

        // 1. A state dict of every common dtype, in Python's key order.
        let sdPath = folder + "/sd.pt"
        try assertMatchesPython(PthFile.load(sdPath), json["sd"], "sd.pt")
        XCTAssertEqual(try PthFile.loadObject(sdPath).pairs?.compactMap(\.key.string), json["sd_order"] as? [String])

        // 2. Views: transposed, sliced and strided tensors sharing one storage at offsets.
        let views = try PthFile.load(folder + "/views.pt")
        try assertMatchesPython(views, json["views"], "views.pt")
        try views["big"]!.fill_(-1)
        XCTAssertEqual(try values(views["slice"]), Array(repeating: -1, count: 12), "slice shares big's storage")
        XCTAssertEqual(try values(views["col"]), Array(repeating: -1, count: 6), "col shares big's storage")

        // 3. A nested checkpoint: the state dict is unwrapped; the rest is in loadObject.
        let ckptPath = folder + "/ckpt.pt"
        try assertMatchesPython(PthFile.load(ckptPath), json["model"], "ckpt.pt")
        let ckpt = try PthFile.loadObject(ckptPath)
        XCTAssertEqual(ckpt["epoch"]?.int, 7)
        XCTAssertEqual(ckpt["arch"]?.string, "mobilenetv2")
        XCTAssertEqual(ckpt["best"]?.double, 0.5)
        let momentum = ckpt["optimizer"]?["state"]?.pairs?.first?.value["momentum_buffer"]?.tensor
        XCTAssertEqual(momentum?.shape, [4, 3, 3, 3], "optimizer state tensors are rebuilt too")

        // 4. A whole pickled module ('module' persistent ids): readable as an object, not a state dict.
        let module = try PthFile.loadObject(folder + "/model.pt")
        XCTAssertEqual(module.typeName, "torch.nn.modules.container.Sequential")
        assertThrows(try PthFile.load(folder + "/model.pt"), mentioning: ["model.pt", "Sequential"])

        // 5. Truncated Python-written files name the file.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: sdPath)))
        for n in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 60)) {
            assertThrows(try PthFile.load(write(Array(bytes[..<n]), "cut.pt")), mentioning: ["cut.pt"])
        }
    }

    static let pythonScript = #"""
    import collections, json, math, os, sys
    import torch

    out = sys.argv[1]
    torch.manual_seed(0)

    def describe(t):
        d = {"shape": list(t.shape), "dtype": str(t.dtype), "contiguous": t.is_contiguous(),
             "values": [float(v).hex() for v in t.detach().flatten().to(torch.float64).tolist()]}
        if not t.is_floating_point():
            d["ints"] = [str(int(v)) for v in t.detach().flatten().tolist()]
        return d

    def save(obj, name):
        torch.save(obj, os.path.join(out, name), _use_new_zipfile_serialization=False)

    sd = collections.OrderedDict([
        ("f32", torch.randn(3, 4)),
        ("f64", torch.tensor([math.pi, -0.0, 1e-300, 1e300], dtype=torch.float64)),
        ("i64", torch.tensor([-2**63, -1, 0, 2**63 - 1, 2**40 + 1], dtype=torch.int64)),
        ("u8", torch.tensor([0, 7, 200, 255], dtype=torch.uint8)),
        ("mask", torch.tensor([True, False, True])),
        ("f16", torch.tensor([0.5, -1.25, 65504.0, 6e-8], dtype=torch.float16)),
        ("i32", torch.tensor([[1, -2], [3, 4]], dtype=torch.int32)),
        ("scalar", torch.tensor(2.5)),
        ("empty", torch.zeros(0, 3)),
    ])
    save(sd, "sd.pt")
    expected = {"sd": {k: describe(v) for k, v in sd.items()}, "sd_order": list(sd.keys())}

    big = torch.arange(24, dtype=torch.float32).reshape(6, 4)
    w = torch.randn(3, 5)
    views = {"big": big, "slice": big[2:5], "col": big[:, 1], "w_t": w.t(), "every_other": big[::2, 1:3]}
    save(views, "views.pt")
    expected["views"] = {k: describe(v) for k, v in views.items()}

    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4))
    model.train()
    model(torch.randn(2, 3, 6, 6))  # running statistics and num_batches_tracked move
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(torch.randn(2, 3, 6, 6)).sum().backward()
    opt.step()
    save({"state_dict": model.state_dict(), "epoch": 7, "arch": "mobilenetv2", "best": 0.5,
          "optimizer": opt.state_dict()}, "ckpt.pt")
    expected["model"] = {k: describe(v) for k, v in model.state_dict().items()}
    save(model, "model.pt")

    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)
    """#
}
