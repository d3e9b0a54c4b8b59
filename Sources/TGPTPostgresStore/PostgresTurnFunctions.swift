/// Server-side functions for the writes of a turn: each is one statement, so one round trip
/// and its own transaction. PL/pgSQL (not one SQL statement with CTEs) because each statement
/// of a function takes a new snapshot: after the upsert has locked the session's row, the
/// next seq is read from what the previous turn committed, so two turns started at once on
/// one session (without the turn lock) still get distinct seqs instead of a unique violation.
enum PostgresTurnFunctions {
  /// `beginTurn`, with the rules of the SQLite store: settings fill gaps only, a base URL
  /// belongs to its provider, the title is the first message's.
  static let beginTurn = """
    CREATE FUNCTION tgpt_begin_turn(
      p_principal text, p_id text, p_now bigint, p_model text, p_provider text, p_system text, p_base_url text,
      p_title text, p_message text, p_replacing boolean
    ) RETURNS TABLE (new_turn bigint, new_answer_seq bigint) LANGUAGE plpgsql AS $$
    DECLARE
      last_seq bigint;
      last_turn bigint;
    BEGIN
      IF p_replacing THEN
        PERFORM 1 FROM session s WHERE s.principal = p_principal AND s.id = p_id FOR UPDATE;
        DELETE FROM message m WHERE m.principal = p_principal AND m.session_id = p_id
          AND m.turn = (SELECT max(x.turn) FROM message x WHERE x.principal = p_principal AND x.session_id = p_id);
        IF FOUND THEN
          UPDATE session s SET turns = s.turns - 1 WHERE s.principal = p_principal AND s.id = p_id;
        END IF;
      END IF;
      INSERT INTO session AS s (principal, id, created_at, updated_at, model, provider, system, base_url, turns, title)
      VALUES (p_principal, p_id, p_now, p_now, p_model, p_provider, p_system, p_base_url, 1, p_title)
      ON CONFLICT (principal, id) DO UPDATE SET
        updated_at = excluded.updated_at,
        turns = s.turns + 1,
        model = coalesce(s.model, excluded.model),
        provider = coalesce(s.provider, excluded.provider),
        system = coalesce(s.system, excluded.system),
        base_url = CASE WHEN s.provider IS NULL OR s.provider = excluded.provider
          THEN coalesce(s.base_url, excluded.base_url) ELSE s.base_url END,
        title = CASE WHEN s.title = '' THEN excluded.title ELSE s.title END;
      SELECT coalesce(max(m.seq), 0), coalesce(max(m.turn), 0) INTO last_seq, last_turn
        FROM message m WHERE m.principal = p_principal AND m.session_id = p_id;
      INSERT INTO message (principal, session_id, seq, turn, role, content, status, created_at) VALUES
        (p_principal, p_id, last_seq + 1, last_turn + 1, 'user', p_message, 'complete', p_now),
        (p_principal, p_id, last_seq + 2, last_turn + 1, 'assistant', '', 'interrupted', p_now);
      RETURN QUERY SELECT last_turn + 1, last_seq + 2;
    END
    $$
    """

  /// `recordToolRound`: the answer so far becomes complete with its calls, the results follow
  /// it (their contents and their `tool_calls` JSON, in two arrays of one length), then a new
  /// placeholder; returns the placeholder's seq.
  static let recordToolRound = """
    CREATE FUNCTION tgpt_record_tool_round(
      p_principal text, p_id text, p_answer_seq bigint, p_turn bigint, p_content text, p_model text, p_usage text,
      p_calls text, p_results text[], p_results_about text[], p_now bigint
    ) RETURNS bigint LANGUAGE plpgsql AS $$
    DECLARE
      placeholder bigint := p_answer_seq + coalesce(array_length(p_results, 1), 0) + 1;
    BEGIN
      UPDATE message m SET content = p_content, status = 'complete', model = p_model, usage = p_usage,
        tool_calls = p_calls, error = NULL
        WHERE m.principal = p_principal AND m.session_id = p_id AND m.seq = p_answer_seq;
      INSERT INTO message (principal, session_id, seq, turn, role, content, status, tool_calls, created_at)
        SELECT p_principal, p_id, p_answer_seq + r.n, p_turn, 'tool', r.content, 'complete', r.about, p_now
        FROM unnest(p_results, p_results_about) WITH ORDINALITY AS r(content, about, n);
      INSERT INTO message (principal, session_id, seq, turn, role, content, status, created_at)
        VALUES (p_principal, p_id, placeholder, p_turn, 'assistant', '', 'interrupted', p_now);
      RETURN placeholder;
    END
    $$
    """

  /// `beginTurn` of version 2: the user message keeps its attachments' references (their
  /// contents are stored first, in the same transaction), and a replaced turn's contents that
  /// nothing refers to any more are deleted.
  static let beginTurnWithAttachments = """
    CREATE FUNCTION tgpt_begin_turn(
      p_principal text, p_id text, p_now bigint, p_model text, p_provider text, p_system text, p_base_url text,
      p_title text, p_message text, p_replacing boolean, p_attachments text
    ) RETURNS TABLE (new_turn bigint, new_answer_seq bigint) LANGUAGE plpgsql AS $$
    DECLARE
      turn_and_seq record;
    BEGIN
      -- The principal's attachments lock before any row: the order every writer takes them in.
      IF p_replacing THEN
        PERFORM tgpt_lock_attachments(p_principal);
      END IF;
      SELECT * INTO turn_and_seq FROM tgpt_begin_turn(p_principal, p_id, p_now, p_model, p_provider, p_system,
        p_base_url, p_title, p_message, p_replacing);
      IF p_attachments IS NOT NULL THEN
        UPDATE message m SET attachments = p_attachments
          WHERE m.principal = p_principal AND m.session_id = p_id AND m.seq = turn_and_seq.new_answer_seq - 1;
      END IF;
      IF p_replacing THEN
        PERFORM tgpt_prune_attachments(p_principal);
      END IF;
      RETURN QUERY SELECT turn_and_seq.new_turn, turn_and_seq.new_answer_seq;
    END
    $$
    """

  /// Serialises, per principal, storing attachment contents and deleting unreferenced ones
  /// (until the transaction ends). Without it, a prune that cannot yet see a new message
  /// (not committed) would delete the content that message's `ON CONFLICT DO NOTHING` found
  /// already stored.
  static let lockAttachments = """
    CREATE FUNCTION tgpt_lock_attachments(p_principal text) RETURNS void LANGUAGE sql AS $$
      SELECT pg_advisory_xact_lock(hashtextextended('tgpt attachments ' || p_principal, 0))
    $$
    """

  /// Deletes the attachment contents no message of the principal refers to.
  static let pruneAttachments = """
    CREATE FUNCTION tgpt_prune_attachments(p_principal text) RETURNS void LANGUAGE sql AS $$
      SELECT tgpt_lock_attachments(p_principal);
      DELETE FROM attachment a WHERE a.principal = p_principal AND NOT EXISTS (
        SELECT 1 FROM message m, json_array_elements(m.attachments::json) AS ref
        WHERE m.principal = p_principal AND m.attachments IS NOT NULL AND ref->>'sha256' = a.sha256)
    $$
    """
}
