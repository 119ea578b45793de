//! The throwaway Kafka-protocol broker: a real broker that Kafka clients talk to, stopped and
//! started again on its port.
use circulation_tests::kafka::Broker;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};
use std::time::Duration;

const TOPIC: &str = "folio.diku.circulation.loan";

fn config(broker: &Broker) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", broker.address());
    c
}

async fn round_trip(broker: &Broker, key: &str) -> Vec<(String, String)> {
    let admin: AdminClient<DefaultClientContext> = config(broker).create().unwrap();
    let topic = NewTopic::new(TOPIC, 10, TopicReplication::Fixed(1));
    admin
        .create_topics(&[topic], &AdminOptions::new())
        .await
        .unwrap();
    let producer: FutureProducer = config(broker)
        .set("message.timeout.ms", "5000")
        .create()
        .unwrap();
    let payload = format!("{{\"id\":\"{key}\"}}");
    producer
        .send(
            FutureRecord::to(TOPIC).key(key).payload(&payload),
            Duration::from_secs(5),
        )
        .await
        .map_err(|(e, _)| e)
        .unwrap();
    // Every partition from its start, without a consumer group (no group coordination).
    let consumer: StreamConsumer = config(broker).set("group.id", "harness").create().unwrap();
    let mut partitions = TopicPartitionList::new();
    for p in 0..10 {
        partitions
            .add_partition_offset(TOPIC, p, Offset::Beginning)
            .unwrap();
    }
    consumer.assign(&partitions).unwrap();
    let mut seen = Vec::new();
    while let Ok(Ok(m)) = tokio::time::timeout(Duration::from_secs(3), consumer.recv()).await {
        let got = String::from_utf8_lossy(m.key().unwrap_or_default()).to_string();
        let payload = m
            .payload_view::<str>()
            .and_then(Result::ok)
            .unwrap_or_default();
        let done = got == key;
        seen.push((got, payload.to_string()));
        if done {
            break;
        }
    }
    seen
}

#[tokio::test]
async fn a_message_produced_is_consumed_also_after_a_restart() {
    let mut broker = Broker::start().unwrap();
    let seen = round_trip(&broker, "a").await;
    assert!(
        seen.contains(&("a".into(), "{\"id\":\"a\"}".into())),
        "{seen:?}"
    );
    let port = broker.port;
    broker.restart().unwrap();
    assert_eq!(broker.port, port);
    let seen = round_trip(&broker, "b").await;
    assert!(
        seen.contains(&("b".into(), "{\"id\":\"b\"}".into())),
        "{seen:?}"
    );
}
