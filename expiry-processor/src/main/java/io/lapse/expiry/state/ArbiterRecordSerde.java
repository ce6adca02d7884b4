package io.lapse.expiry.state;

import io.lapse.events.v1.AttemptOutcome;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The challenge store's value format: a small, explicit, versioned binary encoding.
 *
 * <p>Why not Avro through the registry: internal changelogs are private to this application, and
 * registering their schemas would couple the processor's restore path to the registry's
 * availability and pollute its subjects. Why not registry-less Avro: decoding needs the writer
 * schema, which would then have to be stored alongside or frozen forever; an explicit layout with a
 * leading version byte is as compact, costs no schema resolution on the hot path, and evolves by
 * adding a version 2 reader next to version 1.
 *
 * <p>Layout, version 1 (all integers big-endian, strings as int length + UTF-8, -1 for null):
 * {@code version:byte phase:byte indexAt:long expirationDate:long serviceSid identity factorSid
 * failedAttempts:int answers:int(n) n×answer parked:int(n) n×parked}; an answer is {@code attemptId
 * kind:byte decidedAt:long respondedAt:long number:int metadata}; a parked attempt is {@code
 * attemptId attemptAt:long outcome:byte serviceSid identity factorSid metadata}; a metadata map is
 * {@code int(n or -1 for null) n×(key value)}.
 *
 * <p>Enums are stored as explicit codes, never as {@code ordinal()}: {@link
 * ArbiterRecord.Phase#code}, {@link Answer.Kind#code} and, for the Avro {@link AttemptOutcome}
 * (whose symbols the schema may grow), the codes of {@link #outcomeCode}. A code no constant has is
 * refused on read, so a reordered or extended enum can never silently change what a restored
 * changelog means. The codes equal the ordinals that version 1 was first written with; golden bytes
 * in the tests hold them to that.
 */
public final class ArbiterRecordSerde implements Serde<ArbiterRecord> {
  static final byte VERSION_1 = 1;

  private static final Serializer<ArbiterRecord> SERIALIZER =
      (topic, state) -> state == null ? null : encode(state);
  private static final Deserializer<ArbiterRecord> DESERIALIZER =
      (topic, bytes) -> bytes == null ? null : decode(bytes);

  @Override
  public Serializer<ArbiterRecord> serializer() {
    return SERIALIZER;
  }

  @Override
  public Deserializer<ArbiterRecord> deserializer() {
    return DESERIALIZER;
  }

  public static byte[] encode(ArbiterRecord s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION_1);
      out.writeByte(s.phase().code());
      out.writeLong(s.indexAt());
      out.writeLong(s.expirationDate());
      writeString(out, s.serviceSid());
      writeString(out, s.identity());
      writeString(out, s.factorSid());
      out.writeInt(s.failedAttempts());
      out.writeInt(s.answers().size());
      for (Answer a : s.answers()) {
        writeString(out, a.attemptId());
        out.writeByte(a.kind().code());
        out.writeLong(a.decidedAt());
        out.writeLong(a.respondedAt());
        out.writeInt(a.number());
        writeMap(out, a.metadata());
      }
      out.writeInt(s.parked().size());
      for (ParkedAttempt p : s.parked()) {
        writeString(out, p.attemptId());
        out.writeLong(p.attemptAt());
        out.writeByte(outcomeCode(p.outcome()));
        writeString(out, p.serviceSid());
        writeString(out, p.identity());
        writeString(out, p.factorSid());
        writeMap(out, p.metadata());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static ArbiterRecord decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte version = in.readByte();
      if (version != VERSION_1) {
        throw new SerializationException("Unknown arbiter record version " + version);
      }
      ArbiterRecord.Phase phase = ArbiterRecord.Phase.fromCode(in.readByte());
      long indexAt = in.readLong();
      long expirationDate = in.readLong();
      String serviceSid = readString(in);
      String identity = readString(in);
      String factorSid = readString(in);
      int failed = in.readInt();
      int answerCount = in.readInt();
      List<Answer> answers = new ArrayList<>(answerCount);
      for (int i = 0; i < answerCount; i++) {
        answers.add(
            new Answer(
                readString(in),
                Answer.Kind.fromCode(in.readByte()),
                in.readLong(),
                in.readLong(),
                in.readInt(),
                readMap(in)));
      }
      int parkedCount = in.readInt();
      List<ParkedAttempt> parked = new ArrayList<>(parkedCount);
      for (int i = 0; i < parkedCount; i++) {
        parked.add(
            new ParkedAttempt(
                readString(in),
                in.readLong(),
                outcomeOf(in.readByte()),
                readString(in),
                readString(in),
                readString(in),
                readMap(in)));
      }
      return new ArbiterRecord(
          phase, indexAt, expirationDate, serviceSid, identity, factorSid, failed, answers, parked);
    } catch (SerializationException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("Undecodable arbiter record: " + e, e);
    }
  }

  /**
   * The stored code of an attempt outcome. An exhaustive switch without a default: a symbol added
   * to the schema does not compile here until it is given its own code.
   */
  static byte outcomeCode(AttemptOutcome outcome) {
    return switch (outcome) {
      case APPROVED -> 0;
      case DENIED -> 1;
      case WRONG_CODE -> 2;
    };
  }

  /**
   * The attempt outcome stored as {@code code}.
   *
   * @throws IllegalArgumentException for a code no outcome has
   */
  static AttemptOutcome outcomeOf(byte code) {
    return switch (code) {
      case 0 -> AttemptOutcome.APPROVED;
      case 1 -> AttemptOutcome.DENIED;
      case 2 -> AttemptOutcome.WRONG_CODE;
      default -> throw new IllegalArgumentException("Unknown attempt outcome code " + code);
    };
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] b = in.readNBytes(n);
    if (b.length != n) {
      throw new IOException("Truncated string");
    }
    return new String(b, StandardCharsets.UTF_8);
  }

  private static void writeMap(DataOutputStream out, Map<String, String> map) throws IOException {
    if (map == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(map.size());
    for (Map.Entry<String, String> e : map.entrySet()) {
      writeString(out, e.getKey());
      writeString(out, e.getValue());
    }
  }

  private static Map<String, String> readMap(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    Map<String, String> map = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      map.put(readString(in), readString(in));
    }
    return map;
  }
}
