import Foundation
import XCTest
@testable import Torch

/// The pure-Swift PyTorch checkpoint reader: zip archive, pickle VM, tensor rebuilding.
final class PthReaderTests: PthTestCase {
    // MARK: helpers

    /// A torch.save-like file: `archive/data.pkl`, `archive/data/<key>`, `archive/version`.
    func pth(_ name: String, _ pickle: PickleBuilder, storages: [String: [UInt8]] = [:], byteorder: String? = nil,
             zip64: Bool = false, padding: Int = 0) throws -> String {
        var zip = ZipBuilder()
        zip.zip64 = zip64
        zip.localPadding = padding
        zip.add("archive/data.pkl", pickle.bytes)
        if let byteorder { zip.add("archive/byteorder", Array(byteorder.utf8)) }
        for key in storages.keys.sorted() { zip.add("archive/data/\(key)", storages[key]!) }
        zip.add("archive/version", Array("3\n".utf8))
        return try write(zip.build(), name)
    }

    /// 12 float32 storage elements 0, 1, ... 11.
    let counting = (0..<12).map(Float.init).littleEndianBytes

    // MARK: files written by libtorch (PthFile.save)

    func testLibtorchWrittenFilesReadBackExactly() throws {
        let saved: [String: Tensor] = [
            "f32": try Tensor([1.5, -2.25, 3e-8, .greatestFiniteMagnitude] as [Float], shape: [2, 2]),
            "f64": try Tensor([Double.pi, -0.0, 1e300] as [Double]),
            "i64": try Tensor([Int64.min, -1, 0, Int64.max] as [Int64]),
            "u8": try Tensor([0, 7, 255] as [UInt8]),
            "mask": try Tensor([true, false, true, true]),
            "count": try Tensor([42] as [Int64], shape: []),
            "x": try Tensor.randn([3, 4, 5]),
        ]
        let path = folder + "/lt.pth"
        try PthFile.save(saved, to: path)
        let loaded = try PthFile.load(path)
        XCTAssertEqual(Set(loaded.keys), Set(saved.keys))
        for (name, t) in saved {
            let u = try XCTUnwrap(loaded[name])
            XCTAssertEqual(u.dtype, t.dtype, name)
            XCTAssertEqual(u.shape, t.shape, name)
            XCTAssertEqual(try values(u), try values(t), name)
        }
        XCTAssertEqual(try loaded["i64"]!.int64s(), [Int64.min, -1, 0, Int64.max])
        // libtorch tags the dict's type; loadObject sees the plain dict.
        let object = try PthFile.loadObject(path)
        XCTAssertEqual(object.pairs?.count, saved.count)
        XCTAssertEqual(object["count"]?.tensor?.shape, [])
    }

    // MARK: hand-made files (no Python needed)

    func testViewsOfOneSharedStorage() throws {
        let p = PickleBuilder().emptyDict().mark()
        p.string("a").tensor(key: "0", numel: 12, size: [3, 4], stride: [4, 1])
        p.string("a_t").tensor(key: "0", numel: 12, size: [4, 3], stride: [1, 4])
        p.string("row").tensor(key: "0", numel: 12, offset: 4, size: [4], stride: [1])
        p.string("col").tensor(key: "0", numel: 12, offset: 1, size: [3], stride: [4])
        p.string("scalar").tensor(key: "0", numel: 12, offset: 5, size: [], stride: [])
        p.string("ids").tensor(type: "LongStorage", key: "1", numel: 2, size: [2], stride: [1])
        p.string("epoch").int(3)
        p.setItems().stop()
        let ids = [Int64(-5), 1 << 40].flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        let path = try pth("views.pth", p, storages: ["0": counting, "1": ids])

        let sd = try PthFile.load(path)
        XCTAssertEqual(Set(sd.keys), ["a", "a_t", "row", "col", "scalar", "ids"], "non-tensor 'epoch' is skipped")
        XCTAssertEqual(try values(sd["a"]), (0..<12).map(Double.init))
        XCTAssertEqual(sd["a_t"]?.shape, [4, 3])
        XCTAssertEqual(try values(sd["a_t"]), [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
        XCTAssertEqual(try values(sd["row"]), [4, 5, 6, 7])
        XCTAssertEqual(try values(sd["col"]), [1, 5, 9])
        XCTAssertEqual(sd["scalar"]?.shape, [])
        XCTAssertEqual(try sd["scalar"]?.item(), 5)
        XCTAssertEqual(sd["ids"]?.dtype, .int64)
        XCTAssertEqual(try sd["ids"]?.int64s(), [-5, 1 << 40])
        // One storage, read once: writing through one view shows in the others, as in PyTorch.
        try sd["a"]!.fill_(7)
        XCTAssertEqual(try values(sd["a_t"]), Array(repeating: 7, count: 12))
        XCTAssertEqual(try values(sd["col"]), [7, 7, 7])
        // The whole object keeps order and non-tensor values.
        let object = try PthFile.loadObject(path)
        XCTAssertEqual(object.pairs?.map { $0.key.string ?? "?" }, ["a", "a_t", "row", "col", "scalar", "ids", "epoch"])
        XCTAssertEqual(object["epoch"]?.int, 3)
    }

    func testCheckpointNestingIsUnwrappedInDocumentedOrder() throws {
        func checkpoint(_ keys: [String], topLevelTensor: Bool = false) -> PickleBuilder {
            let p = PickleBuilder().emptyDict().mark()
            p.string("epoch").int(3)
            for (i, key) in keys.enumerated() {
                p.string(key).emptyDict().string("w").tensor(key: "0", numel: 12, offset: i, size: [1], stride: [1])
                    .setItem()
            }
            if topLevelTensor { p.string("top").tensor(key: "0", numel: 12, offset: 11, size: [1], stride: [1]) }
            return p.setItems().stop()
        }
        // 'model' comes before 'state_dict_ema' in PthFile.checkpointKeys, whatever the file's order.
        var sd = try PthFile.load(pth("a.pth", checkpoint(["state_dict_ema", "model"]), storages: ["0": counting]))
        XCTAssertEqual(Array(sd.keys), ["w"])
        XCTAssertEqual(try values(sd["w"]), [1])
        sd = try PthFile.load(pth("b.pth", checkpoint(["net", "state_dict"], topLevelTensor: true),
                                  storages: ["0": counting]))
        XCTAssertEqual(try values(sd["w"]), [1], "state_dict wins over net and over top-level tensors")
        sd = try PthFile.load(pth("c.pth", checkpoint(["optimizer"], topLevelTensor: true), storages: ["0": counting]))
        XCTAssertEqual(Array(sd.keys), ["top"], "no known key: the top level's own tensors")
        XCTAssertEqual(PthFile.checkpointKeys, ["state_dict", "model", "model_state_dict", "net", "state_dict_ema"])

        let none = try pth("none.pth", checkpoint(["optimizer"]), storages: ["0": counting])
        assertThrows(try PthFile.load(none), mentioning: ["none.pth", "'epoch'", "'state_dict'", "torch.save"])
        let list = try pth("list.pth", PickleBuilder().op(0x5D).stop())
        assertThrows(try PthFile.load(list), mentioning: ["list.pth", "holds a list"])
        XCTAssertEqual(try PthFile.load(pth("empty.pth", PickleBuilder().emptyDict().stop())).count, 0)
    }

    func testBigEndianFilesAreSwapped() throws {
        let p = PickleBuilder().emptyDict().mark()
        p.string("f").tensor(key: "0", numel: 3, size: [3], stride: [1])
        p.string("i").tensor(type: "LongStorage", key: "1", numel: 2, size: [2], stride: [1])
        p.string("h").tensor(type: "HalfStorage", key: "2", numel: 1, size: [1], stride: [1])
        p.setItems().stop()
        let floats = [Float(1.5), -2, 1e-3].flatMap { v in withUnsafeBytes(of: v.bitPattern.bigEndian) { Array($0) } }
        let longs = [Int64(-3), 258].flatMap { v in withUnsafeBytes(of: v.bigEndian) { Array($0) } }
        let half: [UInt8] = [0x3C, 0x00]  // 1.0 in big-endian float16
        let sd = try PthFile.load(pth("be.pth", p, storages: ["0": floats, "1": longs, "2": half], byteorder: "big"))
        XCTAssertEqual(try sd["f"]?.floats(), [1.5, -2, 1e-3])
        XCTAssertEqual(try sd["i"]?.int64s(), [-3, 258])
        XCTAssertEqual(try values(sd["h"]), [1])
    }

    func testZip64ArchivesAndPaddedLocalHeaders() throws {
        let p = PickleBuilder().emptyDict().string("w").tensor(key: "0", numel: 12, size: [12], stride: [1]).setItem().stop()
        let path = try pth("z64.pth", p, storages: ["0": counting], zip64: true, padding: 37)
        let archive = try ZipArchive(path: path)
        XCTAssertTrue(archive.isZip64)
        XCTAssertEqual(archive.entries.map(\.name), ["archive/data.pkl", "archive/data/0", "archive/version"])
        let entry = try XCTUnwrap(archive.entry(named: "archive/data/0"))
        XCTAssertEqual(entry.size, 48)
        XCTAssertTrue(try archive.checksumMatches(entry))
        XCTAssertEqual(try archive.data(of: entry), Data(counting))
        XCTAssertEqual(try values(PthFile.load(path)["w"]), (0..<12).map(Double.init))
    }

    func testDeflatedEntriesAreAClearError() throws {
        var zip = ZipBuilder()
        zip.add("archive/data.pkl", PickleBuilder().emptyDict().stop().bytes, method: 8)
        let path = try write(zip.build(), "deflated.pth")
        assertThrows(try PthFile.load(path), mentioning: ["deflated.pth", "deflate-compressed", "zip -0"])
    }

    func testUnsupportedTensorKindsStayOpaque() throws {
        let p = PickleBuilder().emptyDict().mark()
        p.string("z").tensor(type: "ComplexFloatStorage", key: "0", numel: 1, size: [1], stride: [1])
        p.string("w").tensor(key: "1", numel: 12, size: [2], stride: [1])
        p.setItems().stop()
        let path = try pth("complex.pth", p, storages: ["0": [UInt8](repeating: 0, count: 8), "1": counting])
        let object = try PthFile.loadObject(path)
        XCTAssertEqual(object["z"]?.typeName, "torch._utils._rebuild_tensor_v2")
        XCTAssertEqual(object["z"]?.object?.args.first?.typeName, "torch.ComplexFloatStorage")
        XCTAssertNotNil(object["w"]?.tensor)
        assertThrows(try PthFile.load(path), mentioning: ["complex.pth", "['z']", "torch.ComplexFloatStorage"])
    }

    func testBadViewsAndStoragesAreErrors() throws {
        let outside = PickleBuilder().emptyDict().string("w")
            .tensor(key: "0", numel: 12, offset: 10, size: [5], stride: [1]).setItem().stop()
        assertThrows(try PthFile.load(pth("outside.pth", outside, storages: ["0": counting])),
                     mentioning: ["outside.pth", "data.pkl", "needs 15 elements", "holds 12"])
        let short = PickleBuilder().emptyDict().string("w").tensor(key: "0", numel: 20, size: [20], stride: [1])
            .setItem().stop()
        assertThrows(try PthFile.load(pth("short.pth", short, storages: ["0": counting])),
                     mentioning: ["short.pth", "20 float32", "48 bytes"])
        let missing = PickleBuilder().emptyDict().string("w").tensor(key: "9", numel: 1, size: [1], stride: [1])
            .setItem().stop()
        assertThrows(try PthFile.load(pth("missing.pth", missing, storages: ["0": counting])),
                     mentioning: ["missing.pth", "archive/data/9"])
    }

    // MARK: the pickle VM

    func testUnpicklerOpcodes() throws {
        let p = PickleBuilder(protocol: 4)
        p.op(0x95).le(UInt64(0))  // FRAME (length unused)
        p.mark()
        p.op(0x8A).raw([2, 0x00, 0x80])  // LONG1 -32768
        p.op(0x8A).raw([0])  // LONG1 0
        p.op(0x8A).raw([9] + [UInt8](repeating: 0xFF, count: 8) + [0])  // 2**64 - 1: too big for Int
        p.op(0x8B).le(Int32(8)).le(Int64.min)  // LONG4
        p.op(0x4A).le(Int32(-1))  // BININT
        p.op(0x4D).le(UInt16(0x1234))  // BININT2
        p.op(0x47).le(Double(1.5).bitPattern.byteSwapped)  // BINFLOAT, big-endian
        p.op(0x8C).raw([3] + Array("abc".utf8))  // SHORT_BINUNICODE
        p.op(0x8D).le(UInt64(2)).raw(Array("é".utf8))  // BINUNICODE8
        p.op(0x43).raw([2, 0x00, 0xFF])  // SHORT_BINBYTES
        p.op(0x42).le(UInt32(1)).raw([7])  // BINBYTES
        p.op(0x88).op(0x89).op(0x4E)  // True False None
        p.int(1).int(2).int(3).op(0x87)  // TUPLE3
        p.int(7).op(0x32).op(0x30)  // DUP, POP
        p.mark().int(9).op(0x31)  // POP_MARK
        p.op(0x8F).op(0x94).mark().int(4).int(5).op(0x90)  // EMPTY_SET, MEMOIZE, ADDITEMS
        p.op(0x8C).raw([11] + Array("collections".utf8)).op(0x8C).raw([11] + Array("OrderedDict".utf8))
        p.op(0x93).op(0x29).op(0x52)  // STACK_GLOBAL, EMPTY_TUPLE, REDUCE → OrderedDict()
        p.string("k").int(1).setItem().string("k").int(2).setItem()  // a repeated key keeps its place
        p.global("_codecs", "encode").string("\u{00}\u{FF}").string("latin1").op(0x86).reduce()
        p.op(0x6C)  // LIST
        p.stop()
        let value = try Unpickler(p.bytes).load()
        let items = try XCTUnwrap(value.elements)
        XCTAssertEqual(items.count, 19)
        XCTAssertEqual(items[0].int, -32768)
        XCTAssertEqual(items[1].int, 0)
        XCTAssertEqual(items[2].typeName, "builtins.int")
        XCTAssertEqual(items[3].int, Int(Int64.min))
        XCTAssertEqual(items[4].int, -1)
        XCTAssertEqual(items[5].int, 0x1234)
        XCTAssertEqual(items[6].double, 1.5)
        XCTAssertEqual(items[7].string, "abc")
        XCTAssertEqual(items[8].string, "é")
        guard case .bytes(let b1) = items[9], case .bytes(let b2) = items[10] else { return XCTFail("bytes") }
        XCTAssertEqual(Array(b1), [0, 255])
        XCTAssertEqual(Array(b2), [7])
        XCTAssertEqual(items[11].bool, true)
        XCTAssertEqual(items[12].bool, false)
        XCTAssertEqual(items[13].typeName, "None")
        XCTAssertEqual(items[14].elements?.compactMap(\.int), [1, 2, 3])
        XCTAssertEqual(items[15].int, 7)
        XCTAssertEqual(items[16].typeName, "builtins.set")
        XCTAssertEqual(items[16].object?.items.compactMap(\.int), [4, 5])
        XCTAssertEqual(items[17].pairs?.count, 1)
        XCTAssertEqual(items[17]["k"]?.int, 2)
        guard case .bytes(let latin) = items[18] else { return XCTFail("_codecs.encode gives bytes") }
        XCTAssertEqual(Array(latin), [0, 255])
    }

    func testMemoSharesMutableContainersAndCyclesTerminate() throws {
        // (L, L) where L gets 1 appended before being memoized-and-fetched and 2 after.
        let shared = PickleBuilder().mark().op(0x5D).op(0x71).raw([0]).int(1).op(0x61)
            .op(0x68).raw([0]).int(2).op(0x61).op(0x74).stop()
        let pair = try XCTUnwrap(Unpickler(shared.bytes).load().elements)
        XCTAssertEqual(pair.map { $0.elements?.compactMap(\.int) ?? [] }, [[1, 2], [1, 2]])
        // A list that contains itself.
        let cycle = PickleBuilder().op(0x5D).op(0x71).raw([0]).op(0x68).raw([0]).op(0x61).stop()
        let outer = try XCTUnwrap(Unpickler(cycle.bytes).load().elements)
        XCTAssertEqual(outer.first?.typeName, "<recursive reference>")
    }

    func testUnknownGlobalsBecomeOpaqueObjects() throws {
        let p = PickleBuilder().mark()
        p.global("argparse", "Namespace").op(0x29).op(0x81)  // NEWOBJ
        p.emptyDict().string("lr").op(0x47).le(Double(0.1).bitPattern.byteSwapped).setItem().op(0x62)  // BUILD
        p.global("torch", "device").string("cuda").int(0).op(0x86).reduce()
        p.global("numpy.core.multiarray", "scalar")
        p.global("numpy", "dtype").string("f8").op(0x89).op(0x88).op(0x87).reduce()
        p.mark().int(3).string("<").op(0x4E).op(0x4E).op(0x4E).op(0x4A).le(Int32(-1)).op(0x4A).le(Int32(-1)).int(0)
            .op(0x74).op(0x62)
        p.op(0x43).raw([8]).le(Double(0.875).bitPattern).op(0x86).reduce()
        p.global("torch", "FloatStorage")
        p.op(0x74).stop()
        let items = try XCTUnwrap(Unpickler(p.bytes).load().elements)
        XCTAssertEqual(items[0].typeName, "argparse.Namespace")
        XCTAssertEqual(items[0].object?.state?["lr"]?.double, 0.1)
        XCTAssertEqual(items[1].typeName, "torch.device")
        XCTAssertEqual(items[1].object?.args.first?.string, "cuda")
        XCTAssertEqual(items[2].double, 0.875, "numpy float64 scalar")
        XCTAssertEqual(items[3].typeName, "torch.FloatStorage")
        // Persistent ids without a loader stay opaque too.
        let pid = PickleBuilder().string("x").op(0x51).stop()
        XCTAssertEqual(try Unpickler(pid.bytes).load().typeName, "<persistent id>")
    }

    func testMalformedPicklesThrowWithOffsets() throws {
        func offset(_ bytes: [UInt8]) -> Int? {
            do {
                _ = try Unpickler(bytes).load()
                return nil
            } catch let error as PickleError {
                return error.offset
            } catch {
                return nil
            }
        }
        XCTAssertEqual(offset([0x80, 0x02, 0xFF]), 2, "unknown opcode")
        XCTAssertEqual(offset([0x80, 0x02, 0x30]), 2, "stack underflow")
        XCTAssertEqual(offset([0x80, 0x02, 0x4B, 1, 0x68, 5]), 4, "memo entry never stored")
        XCTAssertEqual(offset([0x80, 0x02, 0x4B, 1, 0x4B, 2, 0x61]), 6, "APPEND to an int")
        XCTAssertEqual(offset([0x80, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0x7F, 0x41]), 2, "length past the end")
        XCTAssertEqual(offset([0x80, 0x02, 0x4E]), 3, "no STOP")
        XCTAssertEqual(offset([0x80, 0x09]), 0, "protocol too new")
        XCTAssertThrowsError(try Unpickler([0x80, 0x02, 0xFF]).load()) {
            XCTAssertTrue("\($0)".contains("byte 2"), "\($0)")
        }
        // Every truncation of a real pickle fails cleanly.
        let p = PickleBuilder().emptyDict().mark()
        p.string("a").tensor(key: "0", numel: 12, size: [3, 4], stride: [4, 1])
        p.string("b").op(0x47).le(UInt64(0)).setItems().stop()
        for n in 0..<p.bytes.count {
            XCTAssertThrowsError(try Unpickler(Array(p.bytes[..<n])).load(), "prefix \(n)")
        }
        // Absurdly deep nesting is refused, and taking it apart does not overflow the stack.
        let n = 200_000
        let deepTuples: [UInt8] = [0x80, 2, 0x4E] + [UInt8](repeating: 0x85, count: n) + [0x2E]
        assertThrows(try Unpickler(deepTuples).load(), mentioning: ["nested more than"])
        let deepLists: [UInt8] = [0x80, 2] + [UInt8](repeating: 0x28, count: n) + [0x4E]
            + [UInt8](repeating: 0x6C, count: n)
        assertThrows(try Unpickler(deepLists).load(), mentioning: ["without a STOP"])
        // Random bytes never crash the VM.
        var rng = SplitMix(seed: 42)
        for _ in 0..<2000 {
            let bytes = [0x80, 0x02] + (0..<48).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = try? Unpickler(bytes).load()
        }
    }

    // MARK: damaged files

    func testTruncatedCorruptAndForeignFilesNameTheFile() throws {
        let good = folder + "/good.pth"
        try PthFile.save(["w": try Tensor.randn([4, 4]), "n": try Tensor([3] as [Int64])], to: good)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: good)))
        // Cuts all along the file, and at every byte of the end records (writing files is the slow part).
        let cuts = Array(stride(from: 0, to: bytes.count, by: 29)) + Array((bytes.count - 120)..<bytes.count)
        for n in cuts {
            let path = try write(Array(bytes[..<n]), "cut.pth")
            assertThrows(try PthFile.load(path), mentioning: ["cut.pth"])
        }
        // Flipped bytes: an error naming the file, or (inside tensor data) other values; never a crash.
        var rng = SplitMix(seed: 7)
        for _ in 0..<120 {
            var damaged = bytes
            let at = Int(rng.next() % UInt64(bytes.count))
            damaged[at] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            let path = try write(damaged, "flip.pth")
            do { _ = try PthFile.load(path) } catch { XCTAssertTrue("\(error)".contains("flip.pth"), "\(error)") }
        }
        // A damaged data.pkl fails its checksum.
        let archive = try ZipArchive(path: good)
        let pickle = try XCTUnwrap(archive.entries.first { $0.name.hasSuffix("data.pkl") })
        var damaged = bytes
        let pickleBytes = try archive.data(of: pickle)
        let at = try XCTUnwrap(bytes.firstRange(of: Array(pickleBytes))).lowerBound + 10
        damaged[at] ^= 0x01
        assertThrows(try PthFile.load(write(damaged, "crc.pth")), mentioning: ["crc.pth", "CRC-32"])

        assertThrows(try PthFile.load(write([], "empty.pth")), mentioning: ["empty.pth", "empty file"])
        assertThrows(try PthFile.load(write(Array("hello world, not a checkpoint".utf8), "text.pth")),
                     mentioning: ["text.pth", "not a PyTorch file", "torch.save(obj, path)"])
        assertThrows(try PthFile.load(write([0x80, 0x02, 0x8A, 0x0A], "legacy.pth")),
                     mentioning: ["legacy.pth", "legacy", "magic number", "truncated"])
        var noPickle = ZipBuilder()
        noPickle.add("readme.txt", Array("hi".utf8))
        assertThrows(try PthFile.load(write(noPickle.build(), "other.zip")), mentioning: ["other.zip", "data.pkl"])
        assertThrows(try PthFile.load(folder + "/absent.pth"), mentioning: ["absent.pth", "no such file"])
        var rngBytes = SplitMix(seed: 3)
        let garbage = [0x50, 0x4B, 0x03, 0x04] + (0..<4000).map { _ in UInt8(truncatingIfNeeded: rngBytes.next()) }
        assertThrows(try PthFile.load(write(garbage, "garbage.pth")), mentioning: ["garbage.pth"])
    }

    // MARK: files written by Python's torch.save

    func testFilesWrittenByPythonTorch() throws {
        try PythonTorch.require()
        let fromSwift: [String: Tensor] = [
            "w": try Tensor([0.25, -1, 3] as [Float], shape: [3, 1]),
            "n": try Tensor([5] as [Int64], shape: []),
            "m": try Tensor([true, false]),
        ]
        try PthFile.save(fromSwift, to: folder + "/swift.pth")
        let json = try PythonTorch.fixtures(Self.pythonScript, in: folder)

        // 1. An OrderedDict state dict, in Python's key order.
        let sdPath = folder + "/sd.pth"
        try assertMatchesPython(PthFile.load(sdPath), json["sd"], "sd.pth")
        let order = try PthFile.loadObject(sdPath).pairs?.compactMap(\.key.string)
        XCTAssertEqual(order, json["sd_order"] as? [String])

        // 2. A training checkpoint: the state dict is unwrapped; the rest is in loadObject.
        let ckptPath = folder + "/ckpt.pth"
        try assertMatchesPython(PthFile.load(ckptPath), json["sd"], "ckpt.pth")
        let ckpt = try PthFile.loadObject(ckptPath)
        XCTAssertEqual(ckpt["epoch"]?.int, 3)
        XCTAssertEqual(ckpt["name"]?.string, "osnet")
        XCTAssertEqual(ckpt["lr"]?.double, 0.00035)
        XCTAssertEqual(ckpt["tags"]?.elements?.compactMap(\.string), ["a", "b"])
        if case .bytes(let raw)? = ckpt["raw"] { XCTAssertEqual(Array(raw), [0, 255, 10]) } else { XCTFail("raw bytes") }
        XCTAssertEqual(ckpt["ids"]?.typeName, "builtins.set")
        XCTAssertEqual(Set(ckpt["ids"]?.object?.items.compactMap(\.int) ?? []), [1, 2])
        XCTAssertEqual(ckpt["device"]?.typeName, "torch.device")
        if json["numpy"] as? Bool == true { XCTAssertEqual(ckpt["best"]?.double, 0.875) }
        let momentum = ckpt["optimizer"]?["state"]?.pairs?.first?.value["momentum_buffer"]?.tensor
        XCTAssertEqual(momentum?.shape, [4, 3, 3, 3], "optimizer state tensors are rebuilt too")
        XCTAssertEqual(ckpt["optimizer"]?["param_groups"]?.elements?.first?["lr"]?.double, 0.1)

        // 3. Views: transposed, sliced and strided tensors sharing one storage; half, bfloat16, bool ...
        let views = try PthFile.load(folder + "/views.pth")
        try assertMatchesPython(views, json["views"], "views.pth")
        XCTAssertFalse(try XCTUnwrap(views["w_t"]).isContiguous, "the transposed view keeps its strides")
        try views["big"]!.fill_(-1)
        XCTAssertEqual(try values(views["slice"]), Array(repeating: -1, count: 12), "slice shares big's storage")
        XCTAssertEqual(try values(views["col"]), Array(repeating: -1, count: 6), "col shares big's storage")

        // 4. Python's torch.load read what PthFile.save (libtorch) wrote.
        try assertMatchesPython(fromSwift, json["swift"], "swift.pth as Python read it")

        // 5. The pre-1.6 format loads too (PthLegacyTests covers it in depth).
        XCTAssertEqual(try values(PthFile.load(folder + "/legacy.pth")["a"]), [1, 1])
    }

    static let pythonScript = #"""
    import collections, json, os, sys
    import torch

    out = sys.argv[1]
    torch.manual_seed(0)

    def describe(t):
        return {"shape": list(t.shape), "dtype": str(t.dtype),
                "values": [float(v).hex() for v in t.detach().flatten().to(torch.float64).tolist()]}

    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.Linear(5, 2))
    model.train()
    model[1](torch.randn(2, 4, 5, 5))  # running statistics and num_batches_tracked move

    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model[0].weight.sum().backward()
    opt.step()
    sd = model.state_dict()
    torch.save(sd, os.path.join(out, "sd.pth"))
    expected = {"sd": {k: describe(v) for k, v in sd.items()}, "sd_order": list(sd.keys())}

    ckpt = {"state_dict": sd, "epoch": 3, "name": "osnet", "lr": 0.00035, "tags": ["a", "b"],
            "raw": b"\x00\xff\n", "ids": {1, 2}, "device": torch.device("cpu"), "optimizer": opt.state_dict()}
    try:
        import numpy
        ckpt["best"] = numpy.float64(0.875)
        expected["numpy"] = True
    except ImportError:
        expected["numpy"] = False
    torch.save(ckpt, os.path.join(out, "ckpt.pth"))

    big = torch.arange(24, dtype=torch.float32).reshape(6, 4)
    w = torch.randn(3, 5)
    views = {
        "big": big, "slice": big[2:5], "col": big[:, 1], "w_t": w.t(),
        "half": torch.tensor([0.5, -1.25, 3.0], dtype=torch.half),
        "bf16": torch.tensor([1.5, -2.0], dtype=torch.bfloat16),
        "mask": torch.tensor([True, False, True]),
        "i32": torch.tensor([[1, -2], [3, 4]], dtype=torch.int32),
        "i8": torch.tensor([-7, 7], dtype=torch.int8),
        "u8": torch.tensor([0, 200, 255], dtype=torch.uint8),
        "f64": torch.tensor([1e-300, -2.5], dtype=torch.float64),
        "scalar": torch.tensor(2.5),
        "param": torch.nn.Parameter(torch.ones(2)),
        "empty": torch.zeros(0, 3),
    }
    torch.save(views, os.path.join(out, "views.pth"))
    expected["views"] = {k: describe(v) for k, v in views.items()}

    torch.save({"a": torch.ones(2)}, os.path.join(out, "legacy.pth"), _use_new_zipfile_serialization=False)

    swift = torch.load(os.path.join(out, "swift.pth"))
    expected["swift"] = {k: describe(v) for k, v in swift.items()}

    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)
    """#
}

/// A small deterministic generator for fuzz-style tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
