import type { Migration } from './schema.ts';
import { WORKING_DAYS_TABLE_STATEMENT } from './workingDaysTable.ts';
import { DISTRICTS, DISTRICT_CODES } from '../../src/domain/district.ts';
import { DEFAULT_DETECTOR_CONFIG } from '../../pipelines/detect/detectorConfig.ts';

/**
 * Analyst views (issue 7): the questions tax bureaus ask of the model, as
 * plain views over the tables the pipelines write. Worked queries and their
 * output on the 2020 scenario are in docs/queries.md.
 *
 * Rules every view follows:
 * - ReplacingMergeTree sources are read with FINAL, so a redelivered row is
 *   never counted twice.
 * - Plain (not materialized) views: the sources are small rollups and signal
 *   states, FINAL makes them exact at read time, and a materialized view would
 *   only see inserts, never the replacement of a row by a newer version.
 * - Working days come from `yunlian.working_days` (workingDaysTable.ts), the
 *   detectors' own calendar; ClickHouse has no Chinese calendar. That table is
 *   created here, first, because ClickHouse resolves a view's tables when the
 *   view is created.
 * - "As of" is the latest working day detect has closed in event time
 *   (max(day) of enterprise_daily), not the wall clock: a replayed 2020
 *   scenario is as of 2020, and an open signal is open through that day.
 * - Joins join subqueries, and filters over another table are GLOBAL IN, so
 *   on the cluster (deploy/clickhouse/cluster.sql, where the tables are
 *   Distributed) each side is read once through its Distributed table instead
 *   of a denied distributed-in-distributed subquery.
 * - CREATE OR REPLACE: re-running a statement (crash before the migration was
 *   recorded) is harmless, and a later migration can redefine a view the same way.
 */

/** SQL for the zone district of an admin division code ('other' outside the zone), from DISTRICT_CODES. */
function zoneDistrictOf(codeExpression: string): string {
  const codes = DISTRICTS.map((d) => `'${DISTRICT_CODES[d]}'`).join(', ');
  const names = DISTRICTS.map((d) => `'${d}'`).join(', ');
  return `transform(${codeExpression}, [${codes}], [${names}], 'other')`;
}

/** The rows of the district axis: the zone districts, then everything outside the zone. */
const DISTRICT_AXIS = `[${[...DISTRICTS, 'other'].map((d) => `'${d}'`).join(', ')}]`;

/** Latest working day detect has closed in event time: the "as of" of open signals. */
const AS_OF = '(SELECT max(day) FROM yunlian.enterprise_daily FINAL)';

/**
 * Working days before a break over which detect measured the link (DetectorConfig.baselineDays).
 * A deployment that runs detect with another baselineDays redefines v_lost_flow in a later
 * migration (CREATE OR REPLACE), or its lost flow no longer adds up to lost_baseline_fen.
 */
const LINK_BASELINE_DAYS = DEFAULT_DETECTOR_CONFIG.baselineDays;

const SIGNAL_DURATIONS = `CREATE OR REPLACE VIEW yunlian.v_signal_durations AS
    SELECT
      s.signal_id AS signal_id,
      s.enterprise_tax_id AS enterprise_tax_id,
      s.enterprise_name AS enterprise_name,
      s.district AS district,
      s.signal_type AS signal_type,
      s.partner_tax_id AS partner_tax_id,
      s.severity AS severity,
      s.status AS status,
      s.resolution AS resolution,
      s.window_start AS first_disrupted_day,
      if(s.status = 'RESOLVED', toNullable(s.window_end), NULL) AS resolved_day,
      s.as_of AS as_of,
      -- working days in [first_disrupted_day, last_disrupted_day] = ordinal(last) - ordinal(first - 1); NULL outside the filled calendar
      if(b.day = s.day_before_start AND e.day = s.last_disrupted_day, toNullable(greatest(0, e.working_ordinal - b.working_ordinal)), NULL) AS disrupted_working_days,
      s.baseline_fen AS baseline_fen,
      s.current_fen AS current_fen,
      s.explanation_zh AS explanation_zh,
      s.explanation_en AS explanation_en
    FROM (
      SELECT
        signal_id, enterprise_tax_id, enterprise_name, district, signal_type, partner_tax_id, severity, status, resolution,
        window_start, window_end, baseline_fen, current_fen, explanation_zh, explanation_en,
        ${AS_OF} AS as_of,
        window_start - 1 AS day_before_start,
        -- a resolved signal's window ends on the day activity returned, which is no longer disrupted
        if(status = 'RESOLVED', window_end - 1, as_of) AS last_disrupted_day
      FROM yunlian.signals FINAL
    ) AS s
    LEFT JOIN (SELECT day, working_ordinal FROM yunlian.working_days FINAL) AS b ON b.day = s.day_before_start
    LEFT JOIN (SELECT day, working_ordinal FROM yunlian.working_days FINAL) AS e ON e.day = s.last_disrupted_day
    COMMENT 'One row per disruption signal (current state): how many working days it has lasted. Resolved: working days from window_start up to the day before the resolution; open: through as_of, the latest working day detect has closed'`;

const OPEN_SIGNALS = `CREATE OR REPLACE VIEW yunlian.v_open_signals AS
    SELECT
      signal_id, enterprise_tax_id, enterprise_name, district, signal_type, partner_tax_id, severity,
      first_disrupted_day, as_of, disrupted_working_days AS open_working_days,
      baseline_fen, current_fen, explanation_zh, explanation_en
    FROM yunlian.v_signal_durations
    WHERE status = 'OPEN'
    COMMENT 'Disruptions open now (as of the latest closed working day), with the working days they have lasted: the worklist of tax stewards'`;

const RECOVERY_TIME = `CREATE OR REPLACE VIEW yunlian.v_recovery_time AS
    SELECT
      signal_type,
      countIf(status = 'RESOLVED') AS resolved_signals,
      round(avgIf(disrupted_working_days, status = 'RESOLVED'), 1) AS avg_working_days,
      quantileExactInclusiveIf(0.5)(disrupted_working_days, status = 'RESOLVED') AS median_working_days,
      quantileExactInclusiveIf(0.9)(disrupted_working_days, status = 'RESOLVED') AS p90_working_days,
      maxIf(disrupted_working_days, status = 'RESOLVED') AS max_working_days,
      countIf(status = 'OPEN') AS open_signals,
      maxIf(disrupted_working_days, status = 'OPEN') AS longest_open_working_days
    FROM yunlian.v_signal_durations
    GROUP BY signal_type
    COMMENT 'Time to recovery per signal type, in working days from the first disrupted day (window_start) to the resolution (RECOVERED / LINK_RESTORED); open signals are counted apart so a long open tail is not hidden'`;

const DISRUPTED_FIRMS_DAILY = `CREATE OR REPLACE VIEW yunlian.v_disrupted_firms_daily AS
    SELECT
      g.day AS day,
      g.district AS district,
      c.disrupted_firms AS disrupted_firms,
      c.open_signals AS open_signals,
      c.high_severity_firms AS high_severity_firms,
      c.firms_short_of_supply AS firms_short_of_supply,
      c.firms_short_of_demand AS firms_short_of_demand,
      c.new_disruptions AS new_disruptions
    FROM (
      -- the full grid, so a day without disruption reads 0 (time series in Grafana need the zeros)
      SELECT day, arrayJoin(${DISTRICT_AXIS}) AS district
      FROM yunlian.working_days FINAL
      WHERE is_working_day
        AND day >= (SELECT min(day) FROM yunlian.enterprise_daily FINAL)
        AND day <= ${AS_OF}
    ) AS g
    LEFT JOIN (
      SELECT
        d.day AS day,
        d.district AS district,
        uniqExact(d.enterprise_tax_id) AS disrupted_firms,
        count() AS open_signals,
        uniqExactIf(d.enterprise_tax_id, d.severity = 'HIGH') AS high_severity_firms,
        uniqExactIf(d.enterprise_tax_id, d.signal_type IN ('UPSTREAM_BROKEN', 'PURCHASE_DROP')) AS firms_short_of_supply,
        uniqExactIf(d.enterprise_tax_id, d.signal_type IN ('DOWNSTREAM_BROKEN', 'SALES_DROP')) AS firms_short_of_demand,
        countIf(d.first_disrupted_day = d.day) AS new_disruptions
      FROM (
        SELECT enterprise_tax_id, district, signal_type, severity, first_disrupted_day,
          arrayJoin(arrayMap(i -> first_disrupted_day + i, range(toUInt32(greatest(0, dateDiff('day', first_disrupted_day, last_disrupted_day) + 1))))) AS day
        FROM (
          SELECT enterprise_tax_id, district, signal_type, severity, window_start AS first_disrupted_day,
            if(status = 'RESOLVED', window_end - 1, ${AS_OF}) AS last_disrupted_day
          FROM yunlian.signals FINAL
        )
      ) AS d
      INNER JOIN (SELECT day FROM yunlian.working_days FINAL WHERE is_working_day) AS w ON w.day = d.day
      GROUP BY d.day, d.district
    ) AS c ON c.day = g.day AND c.district = g.district
    COMMENT 'Disrupted firms per district (home district of the firm, other = outside the zone) and working day: a firm is disrupted on each working day from a signal window_start until the day before it resolved (open: through the latest closed working day). One row per working day and district, zeros included'`;

/** Supplier and buyer of a broken-link signal: UPSTREAM_BROKEN is reported by the buyer, DOWNSTREAM_BROKEN by the supplier. */
const SUPPLIER_OF_SIGNAL = "if(signal_type = 'UPSTREAM_BROKEN', assumeNotNull(partner_tax_id), enterprise_tax_id)";
const BUYER_OF_SIGNAL = "if(signal_type = 'UPSTREAM_BROKEN', enterprise_tax_id, assumeNotNull(partner_tax_id))";
const BROKEN_LINK_SIGNALS = "signal_type IN ('UPSTREAM_BROKEN', 'DOWNSTREAM_BROKEN') AND partner_tax_id IS NOT NULL";

const BROKEN_LINKS = `CREATE OR REPLACE VIEW yunlian.v_broken_links AS
    SELECT
      b.supplier_tax_id AS supplier_tax_id,
      p.supplier_name AS supplier_name,
      ${zoneDistrictOf('p.supplier_district_code')} AS supplier_district,
      b.buyer_tax_id AS buyer_tax_id,
      p.buyer_name AS buyer_name,
      ${zoneDistrictOf('p.buyer_district_code')} AS buyer_district,
      b.first_silent_day AS first_silent_day,
      b.episode_status AS status,
      b.restored_day AS restored_day,
      b.link_severity AS severity,
      b.reported_by AS reported_by,
      b.lost_baseline_fen AS lost_baseline_fen,
      b.signal_ids AS signal_ids
    FROM (
      SELECT
        ${SUPPLIER_OF_SIGNAL} AS supplier_tax_id,
        ${BUYER_OF_SIGNAL} AS buyer_tax_id,
        window_start AS first_silent_day,
        -- both sides may report the same break; it stays open while either side has not seen it restored
        if(countIf(status = 'OPEN') > 0, 'OPEN', 'RESOLVED') AS episode_status,
        if(countIf(status = 'OPEN') > 0, NULL, toNullable(max(window_end))) AS restored_day,
        ['LOW', 'MEDIUM', 'HIGH'][max(indexOf(['LOW', 'MEDIUM', 'HIGH'], severity))] AS link_severity,
        arrayStringConcat(arraySort(groupUniqArray(if(signal_type = 'UPSTREAM_BROKEN', 'BUYER', 'SUPPLIER'))), '+') AS reported_by,
        max(baseline_fen) AS lost_baseline_fen,
        arraySort(groupArray(signal_id)) AS signal_ids
      FROM yunlian.signals FINAL
      WHERE ${BROKEN_LINK_SIGNALS}
      GROUP BY supplier_tax_id, buyer_tax_id, first_silent_day
    ) AS b
    LEFT JOIN (
      -- names and district codes as on the pair's latest invoice (a firm that moved district is shown where it files now)
      SELECT
        seller_tax_id, buyer_tax_id,
        argMax(seller_name, issued_at) AS supplier_name,
        argMax(seller_district_code, issued_at) AS supplier_district_code,
        argMax(buyer_name, issued_at) AS buyer_name,
        argMax(buyer_district_code, issued_at) AS buyer_district_code
      FROM yunlian.invoices FINAL
      WHERE (seller_tax_id, buyer_tax_id) GLOBAL IN (SELECT ${SUPPLIER_OF_SIGNAL}, ${BUYER_OF_SIGNAL} FROM yunlian.signals FINAL WHERE ${BROKEN_LINK_SIGNALS})
      GROUP BY seller_tax_id, buyer_tax_id
    ) AS p ON p.seller_tax_id = b.supplier_tax_id AND p.buyer_tax_id = b.buyer_tax_id
    COMMENT 'One row per broken supplier-to-buyer link episode (UPSTREAM_BROKEN from the buyer and DOWNSTREAM_BROKEN from the supplier merged): names and districts as on the latest invoice of the pair, first silent working day, restored day, and lost_baseline_fen, the link flow over the ${LINK_BASELINE_DAYS} working days before the break'`;

const BROKEN_LINKS_MATRIX = `CREATE OR REPLACE VIEW yunlian.v_broken_links_matrix AS
    SELECT
      a.supplier_district AS supplier_district,
      ${[...DISTRICTS, 'other'].map((d) => `m.to_${d} AS to_${d}`).join(',\n      ')},
      m.broken_links AS broken_links,
      m.open_links AS open_links,
      m.lost_baseline_fen AS lost_baseline_fen
    FROM (SELECT arrayJoin(${DISTRICT_AXIS}) AS supplier_district) AS a
    LEFT JOIN (
      SELECT
        supplier_district,
        ${[...DISTRICTS, 'other'].map((d) => `countIf(buyer_district = '${d}') AS to_${d}`).join(',\n        ')},
        count() AS broken_links,
        countIf(status = 'OPEN') AS open_links,
        sum(lost_baseline_fen) AS lost_baseline_fen
      FROM yunlian.v_broken_links
      GROUP BY supplier_district
    ) AS m ON m.supplier_district = a.supplier_district
    COMMENT 'Cross-district matrix of broken links: one row per supplier district, one to_<district> column per buyer district, cells count broken link episodes (ever; open_links: still open); every district has a row'`;

const LOST_FLOW = `CREATE OR REPLACE VIEW yunlian.v_lost_flow AS
    SELECT
      b.supplier_tax_id AS supplier_tax_id,
      b.buyer_tax_id AS buyer_tax_id,
      b.supplier_district AS supplier_district,
      b.buyer_district AS buyer_district,
      b.first_silent_day AS first_silent_day,
      b.status AS status,
      f.tax_code AS tax_code,
      left(f.tax_code, 3) AS tax_code_prefix3,
      left(f.tax_code, 5) AS tax_code_prefix5,
      any(f.category) AS category,
      sum(f.amount_fen) AS lost_fen,
      count() AS invoice_lines
    FROM (
      SELECT v.supplier_tax_id, v.buyer_tax_id, v.supplier_district, v.buyer_district, v.first_silent_day, v.status, w.working_ordinal AS break_ordinal
      FROM (SELECT supplier_tax_id, buyer_tax_id, supplier_district, buyer_district, first_silent_day, status FROM yunlian.v_broken_links) AS v
      INNER JOIN (SELECT day, working_ordinal FROM yunlian.working_days FINAL) AS w ON w.day = v.first_silent_day
    ) AS b
    INNER JOIN (
      SELECT
        l.seller_tax_id AS seller_tax_id, l.buyer_tax_id AS buyer_tax_id, l.tax_code AS tax_code, l.category AS category, l.amount_fen AS amount_fen,
        -- detect credits an invoice issued on a non-working day to the next working day
        w.working_ordinal + if(w.is_working_day, 0, 1) AS credited_ordinal
      FROM (
        SELECT seller_tax_id, buyer_tax_id, tax_code, extract(item_name, '^[*]([^*]+)[*]') AS category, amount_fen, toDate(issued_at) AS issued_day
        FROM yunlian.invoice_lines FINAL
        WHERE event_type = 'ISSUED'
          AND (seller_tax_id, buyer_tax_id) GLOBAL IN (SELECT supplier_tax_id, buyer_tax_id FROM yunlian.v_broken_links)
      ) AS l
      INNER JOIN (SELECT day, working_ordinal, is_working_day FROM yunlian.working_days FINAL) AS w ON w.day = l.issued_day
    ) AS f ON f.seller_tax_id = b.supplier_tax_id AND f.buyer_tax_id = b.buyer_tax_id
    WHERE f.credited_ordinal >= b.break_ordinal - ${LINK_BASELINE_DAYS} AND f.credited_ordinal < b.break_ordinal
    GROUP BY b.supplier_tax_id, b.buyer_tax_id, b.supplier_district, b.buyer_district, b.first_silent_day, b.status, f.tax_code
    COMMENT 'What a broken link carried: per broken link episode and 19-digit tax code, the issued (gross) invoice flow from the supplier to the buyer over the ${LINK_BASELINE_DAYS} working days before the first silent day, the window detect judged the link on, so per episode it sums to lost_baseline_fen'`;

const LOST_FLOW_BY_GOODS = `CREATE OR REPLACE VIEW yunlian.v_lost_flow_by_goods AS
    SELECT
      tax_code_prefix5,
      tax_code_prefix3,
      topK(1)(category)[1] AS goods_category,
      uniqExact(supplier_tax_id, buyer_tax_id, first_silent_day) AS broken_links,
      uniqExactIf((supplier_tax_id, buyer_tax_id, first_silent_day), status = 'OPEN') AS open_broken_links,
      sum(lost_fen) AS lost_flow_fen,
      sumIf(lost_fen, status = 'OPEN') AS open_lost_flow_fen,
      max(first_silent_day) AS latest_break
    FROM yunlian.v_lost_flow
    GROUP BY tax_code_prefix5, tax_code_prefix3
    COMMENT 'Goods categories (first 5 digits of the tax classification code; the first 3 alongside for a coarser roll-up) by the flow of broken links, all and still open: which goods need replacement suppliers or buyers'`;

const MATCH_CONVERSION = `CREATE OR REPLACE VIEW yunlian.v_match_conversion AS
    SELECT
      district,
      signal_type,
      need,
      count() AS lists,
      countIf(list_candidates > 0) AS lists_with_candidates,
      countIf(list_converted_at IS NOT NULL) AS converted_lists,
      if(lists_with_candidates = 0, NULL, round(converted_lists / lists_with_candidates, 4)) AS conversion_rate,
      sum(list_candidates) AS candidates,
      sum(list_converted_candidates) AS converted_candidates,
      if(candidates = 0, NULL, round(converted_candidates / candidates, 4)) AS candidate_conversion_rate,
      countIf(list_status = 'CLOSED') AS closed_lists
    FROM (
      -- the newest revision of each list
      SELECT
        match_id,
        argMax((revision_district, revision_signal_type, revision_need, revision_status, revision_converted_at, revision_candidates, revision_converted_candidates), version) AS latest,
        latest.1 AS district,
        latest.2 AS signal_type,
        latest.3 AS need,
        latest.4 AS list_status,
        latest.5 AS list_converted_at,
        latest.6 AS list_candidates,
        latest.7 AS list_converted_candidates
      FROM (
        SELECT
          match_id,
          version,
          any(district) AS revision_district,
          any(signal_type) AS revision_signal_type,
          any(need) AS revision_need,
          any(status) AS revision_status,
          any(list_converted_at) AS revision_converted_at,
          countIf(rank > 0) AS revision_candidates,
          countIf(rank > 0 AND converted_at IS NOT NULL) AS revision_converted_candidates
        FROM yunlian.matches FINAL
        GROUP BY match_id, version
      )
      GROUP BY match_id
    )
    GROUP BY district, signal_type, need
    COMMENT 'Match conversion per district, signal type and need: a list converts when the firm invoices with one of its candidates in the needed direction after the list opened (list_converted_at). Rates are per group; re-aggregate the counts, not the rates'`;

/** Version 5: the working-day calendar table and the analyst views, in dependency order. */
export const VIEWS_MIGRATION: Migration = {
  version: 5,
  name: 'analyst views',
  statements: [
    WORKING_DAYS_TABLE_STATEMENT,
    SIGNAL_DURATIONS,
    OPEN_SIGNALS,
    RECOVERY_TIME,
    DISRUPTED_FIRMS_DAILY,
    BROKEN_LINKS,
    BROKEN_LINKS_MATRIX,
    LOST_FLOW,
    LOST_FLOW_BY_GOODS,
    MATCH_CONVERSION,
  ],
};
