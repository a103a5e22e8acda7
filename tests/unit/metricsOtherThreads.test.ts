import { describe, expect, it } from 'vitest';
import { createMetrics, includeOtherThreads, metricsSnapshot } from '../../src/runtime/metrics.ts';

describe('metrics of other threads', () => {
  it('renders the other threads\' series with this thread\'s, summing the same series, and keeps the process metrics', async () => {
    const main = createMetrics({ defaultMetrics: true });
    const ingest = createMetrics();
    const detect = createMetrics();
    main.recordsIn('alerts', 'yunlian.disruptions', 2);
    ingest.recordsIn('ingest', 'yunlian.invoices.qingpu', 5);
    ingest.consumerLag('ingest', 'yunlian.invoices.qingpu', 0, 7);
    detect.recordsIn('detect', 'yunlian.invoice-legs', 9);
    detect.dataLoss('detect', 'yunlian.invoice-legs', 1, 3);
    ingest.dataLoss('detect', 'yunlian.invoice-legs', 1, 1);
    includeOtherThreads(main, async () => [await metricsSnapshot(ingest), await metricsSnapshot(detect)]);
    const text = await main.registry.metrics();
    expect(text).toContain('yunlian_records_in_total{pipeline="alerts",topic="yunlian.disruptions"} 2');
    expect(text).toContain('yunlian_records_in_total{pipeline="ingest",topic="yunlian.invoices.qingpu"} 5');
    expect(text).toContain('yunlian_records_in_total{pipeline="detect",topic="yunlian.invoice-legs"} 9');
    expect(text).toContain('yunlian_consumer_lag{pipeline="ingest",topic="yunlian.invoices.qingpu",partition="0"} 7');
    expect(text).toContain('yunlian_data_loss_records_total{pipeline="detect",topic="yunlian.invoice-legs",partition="1"} 4');
    expect(text).toMatch(/^yunlian_process_process_start_time_seconds \d+/m);
    expect(text.match(/^# TYPE yunlian_records_in_total /gm)).toHaveLength(1);
  });

  it('adds up the counters of two threads of the same pipeline, and takes the worst watermark delay of a district', async () => {
    const main = createMetrics({ defaultMetrics: true });
    const detect1 = createMetrics();
    const detect2 = createMetrics();
    detect1.recordsIn('detect', 'yunlian.invoice-legs', 600);
    detect2.recordsIn('detect', 'yunlian.invoice-legs', 400);
    detect1.signalsEmitted('SILENCE', 'OPEN', 2);
    detect2.signalsEmitted('SILENCE', 'OPEN', 3);
    detect1.openSignals('SILENCE', 2);
    detect2.openSignals('SILENCE', 3);
    detect1.watermarkDelay('qingpu', 5);
    detect2.watermarkDelay('qingpu', 7);
    includeOtherThreads(main, async () => [await metricsSnapshot(detect1), await metricsSnapshot(detect2)]);
    const text = await main.registry.metrics();
    expect(text).toContain('yunlian_records_in_total{pipeline="detect",topic="yunlian.invoice-legs"} 1000');
    expect(text).toContain('yunlian_signals_total{signal_type="SILENCE",status="OPEN"} 5');
    // Each thread counts the open signals of its own partitions.
    expect(text).toContain('yunlian_open_signals{signal_type="SILENCE"} 5');
    expect(text).toContain('yunlian_watermark_delay_seconds{district="qingpu"} 7');
  });
});
